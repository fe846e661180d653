package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitConfig runs init-config.sh: server-id is 100 + ordinal, ordinal 0
// gets primary.cnf, every other ordinal replica.cnf.
func TestInitConfig(t *testing.T) {
	tests := []struct {
		hostname, flavor, serverID, role, reportHost string
	}{
		{"mysql-0", "mariadb", "server-id=100", "primary.cnf", "report_host=mysql-0.mysql"},
		{"mysql-1", "mariadb", "server-id=101", "replica.cnf", "report_host=mysql-1.mysql"},
		{"mysql-12", "mysql", "server-id=112", "replica.cnf", "report_host=mysql-12.mysql"},
		{"mysql-0", "mysql57", "server-id=100", "primary.cnf", "report_host=mysql-0.mysql"},
	}
	for _, tt := range tests {
		t.Run(tt.hostname+"/"+tt.flavor, func(t *testing.T) {
			configDir, confDir := t.TempDir(), t.TempDir()
			cnf, err := ServerConfig(tt.flavor)
			if err != nil {
				t.Fatal(err)
			}
			for name, text := range cnf {
				if err := os.WriteFile(filepath.Join(configDir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runBash(t, `bash "$S/init-config.sh"`, "FLAVOR="+tt.flavor, "HOSTNAME="+tt.hostname,
				"CONFIG_DIR="+configDir, "CONF_DIR="+confDir)
			if err != nil {
				t.Fatalf("init-config.sh: %v\n%s", err, out)
			}
			server := readFile(t, filepath.Join(confDir, "20-mysqlctl-server.cnf"))
			if !strings.Contains(server, tt.serverID+"\n") || !strings.Contains(server, tt.reportHost+"\n") {
				t.Errorf("server cnf = %q, want %s and %s", server, tt.serverID, tt.reportHost)
			}
			if role := readFile(t, filepath.Join(confDir, "30-mysqlctl-role.cnf")); role != cnf[tt.role] {
				t.Errorf("role cnf = %q, want %s", role, tt.role)
			}
			if common := readFile(t, filepath.Join(confDir, "10-mysqlctl-common.cnf")); common != cnf["common.cnf"] {
				t.Errorf("common cnf = %q", common)
			}
		})
	}
}

func TestInitConfigRefusesANonStatefulSetHostname(t *testing.T) {
	out, err := runBash(t, `bash "$S/init-config.sh"`, "HOSTNAME=standalone", "CONF_DIR="+t.TempDir())
	if err == nil || !strings.Contains(out, "does not end in -<ordinal>") {
		t.Errorf("init-config.sh with hostname standalone: err %v, output %q", err, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
