package cluster

import (
	"slices"
	"strings"
	"testing"
)

func TestSQLCommandKeepsThePasswordOffTheCommandLine(t *testing.T) {
	for f, want := range map[Flavor][2]string{
		FlavorMariaDB: {"mariadb", "$MARIADB_ROOT_PASSWORD"},
		FlavorMySQL:   {"mysql", "$MYSQL_ROOT_PASSWORD"},
		FlavorMySQL57: {"mysql", "$MYSQL_ROOT_PASSWORD"},
	} {
		cmd := sqlCommand(f, "mysql-read", []string{"-e", "SELECT 'a b'; SELECT $HOME"})
		if cmd[0] != "bash" || cmd[3] != want[0] || cmd[4] != "mysql-read" || !strings.Contains(cmd[2], `MYSQL_PWD="`+want[1]+`"`) {
			t.Errorf("%s: %q", f, cmd)
		}
		// The user's words arrive as they are, after the script's own.
		if !slices.Equal(cmd[5:], []string{"-e", "SELECT 'a b'; SELECT $HOME"}) {
			t.Errorf("%s: client arguments %q", f, cmd[5:])
		}
	}
}
