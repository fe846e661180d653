package e2e

import (
	"os"
	"testing"
)

// flavour is one server family the scenario table runs on: the flags that
// make mysqlctl up a cluster of it from the local image, and the client
// program that image carries for the tests' client pods.
type flavour struct {
	name    string // the subtest's name and --flavor
	image   string // a local image (make cluster builds and imports it)
	version string // --version ("" for the flavour's default)
	client  string // the command-line client in image
	// binlogStatus shows the binary log position (MySQL 8.4 and 9.x
	// removed SHOW MASTER STATUS).
	binlogStatus string
	// delay is the statement that sets a replica's delay, %d the seconds.
	delay string
	// readOnly makes a server read-only again after a test wrote on it
	// (MySQL: super_read_only, which read_only=0 cleared).
	readOnly string
	// gtidMark is what every GTID of the flavour shows ("0-100-" of
	// domain 0 and server 100, or the ":" of uuid:interval).
	gtidMark string
}

// upFlags are up's flags for a cluster of this flavour.
func (f flavour) upFlags() []string {
	flags := []string{"--flavor", f.name, "--image", f.image}
	if f.version != "" {
		flags = append(flags, "--version", f.version)
	}
	return flags
}

// flavours are the server families the local cluster has images for:
// MariaDB 10.11 always, MySQL 9.7 when make cluster built its image
// (MYSQLCTL_E2E_MYSQL_IMAGE). Under CI=true a missing MySQL image fails the
// test instead of narrowing the table: CI proves both.
func (c *testCluster) flavours(t *testing.T) []flavour {
	t.Helper()
	list := []flavour{mariadbFlavour(c)}
	if image := os.Getenv("MYSQLCTL_E2E_MYSQL_IMAGE"); image != "" {
		list = append(list, flavour{name: "mysql", image: image, version: "9.7", client: "mysql",
			binlogStatus: "SHOW BINARY LOG STATUS", delay: "CHANGE REPLICATION SOURCE TO SOURCE_DELAY = %d",
			readOnly: "SET GLOBAL super_read_only = 1", gtidMark: ":"})
	} else if os.Getenv("CI") == "true" {
		t.Fatal("MYSQLCTL_E2E_MYSQL_IMAGE is not set: CI runs the scenarios on MySQL too (eval \"$(make -s cluster-env)\")")
	} else {
		t.Log("MYSQLCTL_E2E_MYSQL_IMAGE is not set: the scenarios run on MariaDB only")
	}
	return list
}

// forEachFlavour runs scenario once per flavour, as parallel subtests named
// after them, each with a testCluster whose client pods run that flavour's
// image. The caller does nothing after it: the subtests run once it returns.
func (c *testCluster) forEachFlavour(t *testing.T, scenario func(t *testing.T, c *testCluster, f flavour)) {
	t.Helper()
	runBesideOthers(t)
	for _, f := range c.flavours(t) {
		t.Run(f.name, func(t *testing.T) {
			// Each flavour has its own namespace, and most of a scenario's time
			// is spent waiting on servers and probes: two at once cut the
			// table's time by about a third on two cores (measured on the
			// switchover scenario, 196 s -> 129 s).
			t.Parallel()
			scenario(t, c.withFlavour(f), f)
		})
	}
}

// runBesideOthers lets a long scenario with a namespace of its own share the
// machine with the other parallel ones (go test runs at most -parallel,
// GOMAXPROCS by default, at once). It runs after every sequential test, so
// nothing that cordons the node, makes a default StorageClass or times
// faults alone (TestDayTwoSafety, TestVolumesGrow, TestChaos) runs beside
// it. Four scenarios of one flavour took 465 s one after another in CI, and
// each table of flavours waited for its slower flavour with one slot idle:
// in one pool the scenarios fill both slots.
func runBesideOthers(t *testing.T) {
	t.Helper()
	t.Parallel()
}

// mariadbFlavour is MariaDB 10.11 from the local image.
func mariadbFlavour(c *testCluster) flavour {
	return flavour{name: "mariadb", image: c.mariadbImage, client: "mariadb", binlogStatus: "SHOW MASTER STATUS",
		delay: "CHANGE MASTER TO MASTER_DELAY = %d", readOnly: "SET GLOBAL read_only = 1", gtidMark: "0-100-"}
}

// onMySQL runs scenario on the MySQL flavour alone, for what only MySQL
// does differently (a MariaDB image is always there; a missing MySQL one
// fails under CI=true, see flavours).
func (c *testCluster) onMySQL(t *testing.T, scenario func(t *testing.T, c *testCluster, f flavour)) {
	t.Helper()
	for _, f := range c.flavours(t) {
		if f.name == "mysql" {
			scenario(t, c.withFlavour(f), f)
			return
		}
	}
	t.Skip("no MySQL image here (MYSQLCTL_E2E_MYSQL_IMAGE): this scenario is MySQL's alone")
}

// withFlavour is c with client pods of f's image.
func (c *testCluster) withFlavour(f flavour) *testCluster {
	fc := *c
	fc.clientImage = f.image
	return &fc
}

// runsFlavourFreeSteps: the steps of a scenario whose outcome does not
// depend on the server (volumes kept by a scale-down, a roll-out of a
// changed request or of a renewed certificate, a purge) run on MariaDB
// only, so that the table's
// second flavour costs only what it proves.
func (f flavour) runsFlavourFreeSteps() bool { return f.name == "mariadb" }
