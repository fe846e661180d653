package cluster

import (
	"slices"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

func TestSQLCommandKeepsThePasswordOffTheCommandLine(t *testing.T) {
	for f, want := range map[manifest.Flavor]string{manifest.FlavorMariaDB: "mariadb", manifest.FlavorMySQL: "mysql", manifest.FlavorMySQL57: "mysql"} {
		cmd := sqlCommand(f, "mysql-read", []string{"-e", "SELECT 'a b'; SELECT $HOME"})
		// The option file lib.sh writes from the mounted Secret: no
		// password in the environment or on the command line.
		if cmd[0] != "bash" || cmd[3] != want || cmd[4] != "mysql-read" || !strings.Contains(cmd[2], `--defaults-extra-file="$cnf"`) ||
			strings.Contains(cmd[2], "PWD") {
			t.Errorf("%s: %q", f, cmd)
		}
		// The user's words arrive as they are, after the script's own.
		if !slices.Equal(cmd[5:], []string{"-e", "SELECT 'a b'; SELECT $HOME"}) {
			t.Errorf("%s: client arguments %q", f, cmd[5:])
		}
	}
}
