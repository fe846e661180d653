package configs

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// settings reads the "name=value" lines of a cnf text (comments skipped).
func settings(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		name, value, _ := strings.Cut(line, "=")
		out[name] = value
	}
	return out
}

// Every flavour's servers acknowledge a commit only once it is on disk,
// binary log included, and replicas survive a crash without rewinding or
// skipping: 5.7 keeps the applier's position in InnoDB and recovers its
// relay log; MySQL 8 recovers its relay log (its repositories are InnoDB
// tables already, and the options that chose them are gone in 8.4, where
// setting one would stop the server); MariaDB's GTID replicas refetch from
// gtid_slave_pos, an InnoDB table, whenever they start.
func TestServerConfigIsDurable(t *testing.T) {
	want := map[string]map[string]string{
		"mariadb": {},
		"mysql":   {"relay_log_recovery": "ON"},
		"mysql57": {"relay_log_recovery": "ON", "relay_log_info_repository": "TABLE", "master_info_repository": "TABLE"},
	}
	for flavor, extra := range want {
		cnf, err := ServerConfig(flavor)
		if err != nil {
			t.Fatal(err)
		}
		common := settings(cnf["common.cnf"])
		extra["sync_binlog"], extra["innodb_flush_log_at_trx_commit"] = "1", "1"
		for name, value := range extra {
			if common[name] != value {
				t.Errorf("%s common.cnf: %s=%q, want %q", flavor, name, common[name], value)
			}
		}
		if flavor == "mysql" {
			for _, removed := range []string{"master_info_repository", "relay_log_info_repository"} {
				if _, ok := common[removed]; ok {
					t.Errorf("mysql common.cnf sets %s, which MySQL 8.4 no longer knows", removed)
				}
			}
		}
		for name, text := range cnf {
			for setting := range settings(text) {
				if name != "common.cnf" && slices.Contains([]string{"sync_binlog", "innodb_flush_log_at_trx_commit"}, setting) {
					t.Errorf("%s %s overrides %s", flavor, name, setting)
				}
			}
		}
	}
}

// MariaDB's replicas get the same never-ending retry count as MySQL's, which
// CHANGE REPLICATION SOURCE TO carries (MariaDB 10.11 takes it only as the
// server option): one number, read here from the MySQL statement.
func TestReplicasReconnectForever(t *testing.T) {
	files, err := sql.PodStatements(sql.MySQL84, "8.4")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`SOURCE_RETRY_COUNT=(\d+)`).FindStringSubmatch(files[sql.FileChangeSource])
	if m == nil {
		t.Fatalf("no SOURCE_RETRY_COUNT in %s", files[sql.FileChangeSource])
	}
	cnf, err := ServerConfig("mariadb")
	if err != nil {
		t.Fatal(err)
	}
	if got := settings(cnf["common.cnf"])["master_retry_count"]; got != m[1] {
		t.Errorf("mariadb common.cnf: master_retry_count=%q, want %s as MySQL's SOURCE_RETRY_COUNT", got, m[1])
	}
}
