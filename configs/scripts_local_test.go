package configs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptsAgainstLocalMariaDB runs the MariaDB pod scripts end to end
// against real mariadbd processes (testdata/local-replication.sh): clone
// from the primary and from a replica, replication by GTID, root refused on
// replicas (1290), sidecar restarts, a re-clone and a truncated stream. It
// needs root (a private mount namespace for /etc/hosts), mariadbd,
// mariadb-backup and socat, and takes a minute, so it is opt-in.
func TestScriptsAgainstLocalMariaDB(t *testing.T) {
	if os.Getenv("MYSQLCTL_LOCAL_MARIADB") != "1" {
		t.Skip("set MYSQLCTL_LOCAL_MARIADB=1 to run the scripts against local mariadbd processes (root, mariadb-server, mariadb-backup, socat)")
	}
	for _, tool := range []string{"unshare", "mariadbd", "mariadb-install-db", "mariadb-backup", "mbstream", "socat"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("MYSQLCTL_LOCAL_MARIADB=1 but %s is missing: %v", tool, err)
		}
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
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "bash", "testdata/local-replication.sh")
	cmd.Env = append(os.Environ(), "ROOT="+root, "SRC="+src)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nPASS\n") {
		t.Fatalf("local replication scenario: %v\n%s", err, out)
	}
}
