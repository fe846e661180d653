package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitConfig runs init-config.sh: server-id is 100 + ordinal, ordinal 0
// gets primary.cnf, every other ordinal replica.cnf, and the binary log
// retention is BINLOG_EXPIRE_SECONDS in the flavour's variable: seconds on
// MySQL 8 and MariaDB, whole days rounded up on 5.7 (expire_logs_days).
func TestInitConfig(t *testing.T) {
	tests := []struct {
		hostname, flavor, expire, serverID, role, reportHost, retention string
	}{
		{"mysql-0", "mariadb", "604800", "server-id=100", "primary.cnf", "report_host=mysql-0.mysql", "binlog_expire_logs_seconds=604800"},
		{"mysql-1", "mariadb", "8553600", "server-id=101", "replica.cnf", "report_host=mysql-1.mysql", "binlog_expire_logs_seconds=8553600"},
		{"mysql-12", "mysql", "3600", "server-id=112", "replica.cnf", "report_host=mysql-12.mysql", "binlog_expire_logs_seconds=3600"},
		{"mysql-1", "mysql", "4294967295", "server-id=101", "replica.cnf", "report_host=mysql-1.mysql", "binlog_expire_logs_seconds=4294967295"},
		{"mysql-0", "mysql57", "604800", "server-id=100", "primary.cnf", "report_host=mysql-0.mysql", "expire_logs_days=7"},
		{"mysql-2", "mysql57", "3600", "server-id=102", "replica.cnf", "report_host=mysql-2.mysql", "expire_logs_days=1"},
		{"mysql-1", "mysql57", "86401", "server-id=101", "replica.cnf", "report_host=mysql-1.mysql", "expire_logs_days=2"},
		{"mysql-1", "mysql57", "0008553600", "server-id=101", "replica.cnf", "report_host=mysql-1.mysql", "expire_logs_days=99"},
	}
	for _, tt := range tests {
		t.Run(tt.hostname+"/"+tt.flavor+"/"+tt.expire, func(t *testing.T) {
			configDir, confDir, record := t.TempDir(), t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(record, "primary"), "mysql-0\n") // as up records it
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
				"CONFIG_DIR="+configDir, "CONF_DIR="+confDir, "BINLOG_EXPIRE_SECONDS="+tt.expire,
				"CLUSTER_STATE_DIR="+record)
			if err != nil {
				t.Fatalf("init-config.sh: %v\n%s", err, out)
			}
			server := readFile(t, filepath.Join(confDir, "20-mysqlctl-server.cnf"))
			want := "[mysqld]\n" + tt.serverID + "\n" + tt.reportHost + "\n" + tt.retention + "\n" +
				"ssl_ca=/etc/mysqlctl/tls/ca.crt\nssl_cert=/etc/mysqlctl/tls/tls.crt\nssl_key=/etc/mysqlctl/tls/tls.key\n"
			if server != want {
				t.Errorf("server cnf = %q, want %q", server, want)
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
	out, err := runBash(t, `bash "$S/init-config.sh"`, "HOSTNAME=standalone", "CONF_DIR="+t.TempDir(), "BINLOG_EXPIRE_SECONDS=3600")
	if err == nil || !strings.Contains(out, "does not end in -<ordinal>") {
		t.Errorf("init-config.sh with hostname standalone: err %v, output %q", err, out)
	}
}

// A missing or invalid retention stops the pod with one clear line, before
// any cnf is written: below an hour, above what the flavour accepts
// (MariaDB and 5.7: 99 days; MySQL 8: 2^32-1 s), or not a whole number.
func TestInitConfigRefusesABadRetention(t *testing.T) {
	tests := []struct{ flavor, expire string }{
		{"mariadb", ""}, {"mysql", "unset"}, {"mysql57", "3599"}, {"mariadb", "0"},
		{"mariadb", "8553601"}, {"mysql57", "8553601"}, {"mysql", "4294967296"},
		{"mysql", "168h"}, {"mariadb", "-3600"}, {"mysql", "3600.5"}, {"mysql", "99999999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.flavor+"/"+tt.expire, func(t *testing.T) {
			confDir := t.TempDir()
			env := []string{"FLAVOR=" + tt.flavor, "HOSTNAME=mysql-1", "CONFIG_DIR=" + t.TempDir(), "CONF_DIR=" + confDir}
			if tt.expire != "unset" {
				env = append(env, "BINLOG_EXPIRE_SECONDS="+tt.expire)
			}
			out, err := runBash(t, `bash "$S/init-config.sh"`, env...)
			if err == nil || !strings.Contains(out, "ERROR: BINLOG_EXPIRE_SECONDS must be a whole number of seconds from 3600") ||
				strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Errorf("init-config.sh with BINLOG_EXPIRE_SECONDS=%q: err %v, output %q: want one ERROR line", tt.expire, err, out)
			}
			if entries, _ := os.ReadDir(confDir); len(entries) != 0 {
				t.Errorf("init-config.sh wrote %d files before refusing", len(entries))
			}
		})
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

// With the spec's semi-sync, init-config writes its cnf (the replica side
// on, the source side off at every start, AFTER_SYNC, the timeout; MySQL
// loads its plugins); without, the file is empty, which the sidecar reads
// as "off". A bad timeout stops the pod with one line.
func TestInitConfigSemiSync(t *testing.T) {
	for _, tc := range []struct{ flavor, ms, want string }{
		{"mariadb", "", ""},
		{"mariadb", "2500", "[mysqld]\nrpl_semi_sync_slave_enabled=ON\nrpl_semi_sync_master_enabled=OFF\nrpl_semi_sync_master_timeout=2500\nrpl_semi_sync_master_wait_point=AFTER_SYNC\n"},
		{"mysql", "4294967295", "[mysqld]\nplugin-load-add=semisync_source.so\nplugin-load-add=semisync_replica.so\nloose-rpl_semi_sync_replica_enabled=ON\nloose-rpl_semi_sync_source_enabled=OFF\nloose-rpl_semi_sync_source_timeout=4294967295\nloose-rpl_semi_sync_source_wait_point=AFTER_SYNC\n"},
		{"mysql", "10s", "error"},
		{"mysql57", "1000", "error"},
	} {
		configDir, confDir := t.TempDir(), t.TempDir()
		cnf, err := ServerConfig(tc.flavor)
		if err != nil {
			t.Fatal(err)
		}
		for name, text := range cnf {
			writeFile(t, filepath.Join(configDir, name), text)
		}
		env := []string{"FLAVOR=" + tc.flavor, "HOSTNAME=mysql-1", "CONFIG_DIR=" + configDir, "CONF_DIR=" + confDir,
			"BINLOG_EXPIRE_SECONDS=3600", "CLUSTER_STATE_DIR=" + t.TempDir()}
		if tc.ms != "" {
			env = append(env, "SEMI_SYNC_TIMEOUT_MS="+tc.ms)
		}
		out, err := runBash(t, `bash "$S/init-config.sh"`, env...)
		if tc.want == "error" {
			if err == nil || !strings.Contains(out, "semi") {
				t.Errorf("%s %s: err %v, output %q; want a refusal naming semi-sync", tc.flavor, tc.ms, err, out)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", tc.flavor, tc.ms, err, out)
		}
		if got := readFile(t, filepath.Join(confDir, "40-mysqlctl-semisync.cnf")); got != tc.want {
			t.Errorf("%s %s: semi-sync cnf %q, want %q", tc.flavor, tc.ms, got, tc.want)
		}
	}
}
