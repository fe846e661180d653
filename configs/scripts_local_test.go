package configs

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/sql"
)

// TestScriptsAgainstLocalMariaDB runs the MariaDB pod scripts end to end
// against real mariadbd processes (testdata/local-replication.sh), with the
// statement files rendered by the sql package exactly as the ConfigMap
// carries them: clone from the primary and from a replica, replication by
// GTID, no password in any binary log, root refused on replicas (1290),
// sidecar restarts, a stale clone position that must not rewind a replica,
// a receiver restarted after a connection error but not after error 1236,
// a re-clone, two replicas cloning one donor at once (the second waits for
// the first's backup), a truncated stream, and a lost primary volume refused once the
// cluster held data. It takes about 40 seconds.
//
// It runs by default. It needs root (a private mount namespace for
// /etc/hosts, chown to the mysql user) and the Debian packages
// mariadb-server, mariadb-client, mariadb-backup and socat (make deps
// installs them). When any is missing it FAILS if CI=true, so CI can never
// skip it silently, and skips elsewhere, naming what is missing.
func TestScriptsAgainstLocalMariaDB(t *testing.T) {
	if missing := localMariaDBMissing(); len(missing) > 0 {
		msg := "the pod scripts cannot run against local mariadbd: " + strings.Join(missing, "; ")
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true, so this is a failure: run as root after make deps)")
		}
		t.Skip(msg)
	}
	src, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("", "mysqlctl-local-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil { // the mysql user must reach its files
		t.Fatal(err)
	}
	config := filepath.Join(root, "config")
	if err := os.Mkdir(config, 0o755); err != nil {
		t.Fatal(err)
	}
	writeStatements(t, config, sql.MariaDB, "10.11")
	writeLocalTLS(t, filepath.Join(root, "tls"))
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "bash", "testdata/local-replication.sh")
	cmd.Env = append(os.Environ(), "ROOT="+root, "SRC="+src)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nPASS\n") {
		t.Fatalf("local replication scenario: %v\n%s", err, out)
	}
}

// localMariaDBMissing names what the local scenario needs and lacks.
func localMariaDBMissing() []string {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "not running as root")
	}
	tools := []struct{ name, pkg string }{
		{"unshare", "util-linux"}, {"mount", "mount"}, {"pgrep", "procps"},
		{"mariadbd", "mariadb-server"}, {"mariadb-install-db", "mariadb-server"},
		{"mariadb", "mariadb-client"}, {"mariadb-admin", "mariadb-client"},
		{"mariadb-backup", "mariadb-backup"}, {"mbstream", "mariadb-backup"}, {"socat", "socat"},
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool.name); err != nil {
			missing = append(missing, tool.name+" not found (Debian package "+tool.pkg+")")
		}
	}
	if _, err := user.Lookup("mysql"); err != nil {
		missing = append(missing, "no mysql user (Debian package mariadb-server creates it)")
	}
	return missing
}

// writeLocalTLS writes what the TLS Secret holds, for the local pods lt-N:
// their names and addresses, and the bare cluster name the clone stream
// checks.
func writeLocalTLS(t *testing.T, dir string) {
	t.Helper()
	now := time.Now()
	ca, err := certs.NewCA("local test CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"lt", "localhost"}
	ips := []net.IP{net.IPv4(127, 0, 0, 1)}
	for n := 0; n < 4; n++ {
		names = append(names, fmt.Sprintf("lt-%d.lt", n))
		ips = append(ips, net.IPv4(127, 0, 0, byte(10+n)))
	}
	cert, key, err := ca.Issue("lt", names, ips, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The servers run as the mysql user: the key must be readable to it.
	for name, data := range map[string][]byte{"ca.crt": ca.CertPEM, "tls.crt": cert, "tls.key": key} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
