package configs

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The local MariaDB image (e2e/localkube/images/mariadb) stands in for the
// official one in the e2e cluster, so its entrypoint must read the same
// variables, MYSQL_* aliases included. Its alias handling runs before it
// looks at its command, so running it with `env` as the command shows the
// environment the server's initialisation would see, without starting one.
// It lives here because this is where `make test-unit` runs shell tests.
func TestLocalImageEntrypointAliases(t *testing.T) {
	const entrypoint = "../e2e/localkube/images/mariadb/docker-entrypoint.sh"
	tests := []struct {
		name string
		env  []string
		want []string // variables the entrypoint's environment must hold
		not  []string // variable names it must not set
	}{
		{"empty root password allowed the MySQL way",
			[]string{"MYSQL_ALLOW_EMPTY_PASSWORD=yes"},
			[]string{"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=yes", "MYSQL_ALLOW_EMPTY_PASSWORD=yes"}, nil},
		{"every aliased variable",
			[]string{"MYSQL_ROOT_PASSWORD=r'p", "MYSQL_ROOT_HOST=10.%", "MYSQL_DATABASE=app", "MYSQL_USER=u", "MYSQL_PASSWORD=p"},
			[]string{"MARIADB_ROOT_PASSWORD=r'p", "MARIADB_ROOT_HOST=10.%", "MARIADB_DATABASE=app", "MARIADB_USER=u", "MARIADB_PASSWORD=p"}, nil},
		{"MARIADB_* wins and both names agree",
			[]string{"MYSQL_ROOT_PASSWORD=old", "MARIADB_ROOT_PASSWORD=new"},
			[]string{"MARIADB_ROOT_PASSWORD=new", "MYSQL_ROOT_PASSWORD=new"}, nil},
		{"no alias the official image lacks",
			[]string{"MYSQL_ROOT_PASSWORD_HASH=*ABC", "MYSQL_ALLOW_EMPTY_ROOT_PASSWORD=1"},
			nil, []string{"MARIADB_ROOT_PASSWORD_HASH", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("bash", entrypoint, "env")
			cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, tt.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s env: %v\n%s", entrypoint, err, out)
			}
			got := strings.Split(strings.TrimSpace(string(out)), "\n")
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("environment lacks %s:\n%s", w, out)
				}
			}
			for _, name := range tt.not {
				for _, line := range got {
					if strings.HasPrefix(line, name+"=") {
						t.Errorf("environment has %s", line)
					}
				}
			}
		})
	}
}
