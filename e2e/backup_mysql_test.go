package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMySQLBackupAndRestore: MySQL's image has no backup tool, so a
// backup is the server's own CLONE LOCAL copy streamed as tar. Taken from
// a replica while rows are written, it restores into a new cluster whose
// primary holds an unbroken prefix of the writer's rows and the backup's
// GTID history, with new passwords; its replica clones it and check
// passes, checksums included. (MariaDB's backup is TestDayTwoSafety's.)
func TestMySQLBackupAndRestore(t *testing.T) {
	runBesideOthers(t)
	c := requireCluster(t)
	binary(t)
	c.onMySQL(t, mysqlBackupAndRestore)
}

func mysqlBackupAndRestore(t *testing.T, c *testCluster, f flavour) {
	ctx, ns := c.scenario(t, f, "backup", 2, 12*time.Minute)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.mustSucceed(t, time.Minute, "sql", "-n", ns, "-e", "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY)")
	writer := c.startClientPod(t, ctx, ns, `for i in $(seq 1000 1400); do
  `+f.client+` -h mysql-primary -uroot -p"$PW" -e "INSERT INTO app.t VALUES ($i)" || exit 1
done`, root)
	c.waitRowsIn(t, ctx, ns, "mysql-1", root, "app.t", 22) // the writer is under way
	file := filepath.Join(t.TempDir(), "app.backup")
	res := c.mustSucceed(t, 5*time.Minute, "backup", "-o", file, "-n", ns)
	if !strings.Contains(res.stdout, "backup of mysql-1 written to "+file+": mysql 9.7") {
		t.Errorf("backup output:\n%s", res)
	}
	if out, ok := c.waitClientPod(t, ctx, ns, writer); !ok {
		t.Fatalf("the writer failed:\n%s", out)
	}
	verified := c.mustSucceed(t, time.Minute, "backup", "--verify", file)
	t.Logf("%s", verified.stdout)

	restored := c.namespace(t, "restored-mysql")
	up := c.mustSucceed(t, 8*time.Minute, "up", "--from-backup", file, "-n", restored, "--replicas", "2", "--image", f.image)
	if !strings.Contains(up.stdout, "restored "+file) || !strings.Contains(up.stdout, "credentials: new passwords") {
		t.Errorf("up --from-backup output:\n%s", up)
	}
	c.mustSucceed(t, 2*time.Minute, "check", "-n", restored, "--checksum")
	newRoot := c.secretValue(t, ctx, restored, "mysql-credentials", "root-password")

	// The copy's GTID set goes on: the restored primary's is part of the
	// source's, and not empty (performance_schema.clone_status reports no
	// GTID set for a local clone, so the backup file names none).
	restoredGTID := c.queryThroughPortForward(t, ctx, restored, "mysql-0", newRoot, "SELECT @@GLOBAL.gtid_executed")
	if restoredGTID == "" || c.queryThroughPortForward(t, ctx, ns, "mysql-0", root,
		fmt.Sprintf("SELECT GTID_SUBSET('%s', @@GLOBAL.gtid_executed)", restoredGTID)) != "1" {
		t.Errorf("the restored primary's GTID set %q is not a non-empty part of the source's", restoredGTID)
	}
	n, top := c.assertRestoredPrefix(t, ctx, ns, root, restored, newRoot)
	t.Logf("restored %d of the writer's rows (up to id %d), GTID set %s", n, top, restoredGTID)
}
