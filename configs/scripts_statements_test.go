package configs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// TestSQLFill: sql_fill is the one place a value enters a statement. A value
// becomes one literal, is never searched for placeholders itself, and a
// missing or malformed value fails the whole file with nothing printed.
func TestSQLFill(t *testing.T) {
	const tmpl = "SET A={{a}}, B={{b:int}};\nSELECT {{a}};\n"
	tests := []struct {
		name string
		args []string
		want string // "" means sql_fill must fail
	}{
		{"plain", []string{"a=x", "b=42"}, "SET A='x', B=42;\nSELECT 'x';\n"},
		{"quote and backslash", []string{`a=it's\n`, "b=0"}, `SET A='it''s\\n', B=0;` + "\nSELECT 'it''s\\\\n';\n"},
		{"value that looks like a placeholder", []string{"a={{b:int}}&", "b=7"}, "SET A='{{b:int}}&', B=7;\nSELECT '{{b:int}}&';\n"},
		{"newline and equals sign", []string{"a=x=1\ny", "b=1"}, "SET A='x=1\ny', B=1;\nSELECT 'x=1\ny';\n"},
		{"first value wins, unused names ignored", []string{"a=1", "a=2", "c=3", "b=9"}, "SET A='1', B=9;\nSELECT '1';\n"},
		{"missing value", []string{"a=x"}, ""},
		{"not an integer", []string{"a=x", "b=1; DROP USER root"}, ""},
		{"negative integer", []string{"a=x", "b=-1"}, ""},
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stmt-test.sql"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := runBashSplit(t, `source "$S/statements.sh"; sql_fill stmt-test.sql "$@"`, tt.args, "CONFIG_DIR="+dir)
			if tt.want == "" {
				if err == nil || out != "" || !strings.Contains(stderr, "sql_fill: stmt-test.sql:") {
					t.Errorf("sql_fill %q = %q, stderr %q, err %v: want a failure that prints no statement", tt.args, out, stderr, err)
				}
				return
			}
			if err != nil || out != tt.want {
				t.Errorf("sql_fill %q = %q (%v, %s), want %q", tt.args, out, err, stderr, tt.want)
			}
		})
	}
	if _, stderr, err := runBashSplit(t, `source "$S/statements.sh"; sql_fill stmt-none.sql`, nil, "CONFIG_DIR="+dir); err == nil ||
		!strings.Contains(stderr, "no statement file") {
		t.Errorf("sql_fill of a missing file: %v %q", err, stderr)
	}
}

// TestChangeSourceSQL fills each flavour's rendered statements from a
// clone's position file as the sidecar does: replication as the replication
// user, never root, and (MySQL) a retry count that never runs out; MariaDB
// gets it from its cnf (TestReplicasReconnectForever).
func TestChangeSourceSQL(t *testing.T) {
	mysql8 := []string{"STOP REPLICA;", "RESET REPLICA ALL;",
		"CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='pw''x', SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA='/etc/mysqlctl/tls/ca.crt', SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;"}
	tests := []struct {
		flavor   string
		server   sql.Flavour
		version  string
		position string
		want     []string // nil means the script must fail
	}{
		{"mariadb", sql.MariaDB, "10.11", "binlog_file=mysql-bin.000001\nbinlog_pos=328\ngtid=0-100-9\n", []string{
			"STOP SLAVE;", "RESET SLAVE ALL;", "SET GLOBAL gtid_slave_pos = '0-100-9';",
			"CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='pw''x', MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA='/etc/mysqlctl/tls/ca.crt', MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_USE_GTID=slave_pos;"}},
		{"mariadb", sql.MariaDB, "10.11", "binlog_file=mysql-bin.000001\nbinlog_pos=328\n", nil},
		{"mysql", sql.MySQL84, "8.4", "auto_position=1\n", mysql8},
		{"mysql", sql.MySQL80, "8.0.23", "", mysql8},
		{"mysql57", sql.MySQL57, "5.7", "binlog_file=mysql-bin.000003\nbinlog_pos=154", []string{
			"STOP SLAVE;", "RESET SLAVE ALL;",
			"CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='pw''x', MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA='/etc/mysqlctl/tls/ca.crt', MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_RETRY_COUNT=4294967295, MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=154;"}},
		{"mysql57", sql.MySQL57, "5.7", "binlog_file=mysql-bin.000003\nbinlog_pos=15x4\n", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.server)+"/"+strings.ReplaceAll(tt.position, "\n", " "), func(t *testing.T) {
			dir := writeStatements(t, t.TempDir(), tt.server, tt.version)
			pos := filepath.Join(t.TempDir(), "position")
			if err := os.WriteFile(pos, []byte(tt.position), 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr, err := runBashSplit(t, `source "$S/lib.sh"; source "$S/position.sh"; source "$S/replication.sh"; change_source_sql "$P" mysql-0.mysql`,
				nil, "FLAVOR="+tt.flavor, "CONFIG_DIR="+dir, "P="+pos, "REPLICATION_USER=repl", "REPLICATION_PASSWORD=pw'x")
			if tt.want == nil {
				if err == nil || out != "" || !strings.Contains(stderr, "cannot point replication at mysql-0.mysql") {
					t.Errorf("change_source_sql = %q (%v, %s), want a failure", out, err, stderr)
				}
				return
			}
			if err != nil {
				t.Fatalf("change_source_sql: %v\n%s", err, stderr)
			}
			if got := strings.TrimSpace(out); got != strings.Join(tt.want, "\n") {
				t.Errorf("change_source_sql =\n%s\nwant\n%s", got, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestAccountsSQL: the grants are the ones the scripts always gave (MariaDB's
// REPLICATION CLIENT is BINLOG MONITOR, which replicas do not need), in a
// session that writes no binary log: no password reaches one.
func TestAccountsSQL(t *testing.T) {
	want := map[sql.Flavour]string{
		sql.MariaDB: "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';",
		sql.MySQL84: "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';",
	}
	monitor := map[sql.Flavour]string{
		sql.MariaDB: "GRANT SLAVE MONITOR ON *.* TO 'mysqlctl_probe'@'%';",
		sql.MySQL84: "GRANT REPLICATION CLIENT ON *.* TO 'mysqlctl_probe'@'%';",
	}
	for server, grant := range want {
		dir := writeStatements(t, t.TempDir(), server, map[sql.Flavour]string{sql.MariaDB: "10.11", sql.MySQL84: "8.4"}[server])
		out, err := runBash(t, `source "$S/lib.sh"; source "$S/replication.sh"; accounts_sql`, "CONFIG_DIR="+dir,
			"ADMIN_USER=mysqlctl", `ADMIN_PASSWORD=a\b`, "REPLICATION_USER=repl", "REPLICATION_PASSWORD=r'",
			"PROBE_USER=mysqlctl_probe", "PROBE_PASSWORD=p")
		wantText := "SET SESSION sql_log_bin = 0;\n" +
			"CREATE USER IF NOT EXISTS 'mysqlctl'@'%' IDENTIFIED BY 'a\\\\b';\n" +
			"GRANT ALL PRIVILEGES ON *.* TO 'mysqlctl'@'%' WITH GRANT OPTION;\n" +
			"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'r''' REQUIRE SSL;\n" + grant + "\n" +
			"CREATE USER IF NOT EXISTS 'mysqlctl_probe'@'%' IDENTIFIED BY 'p';\n" + monitor[server] + "\n"
		if err != nil || out != wantText {
			t.Errorf("%s: accounts_sql = %q (%v), want %q", server, out, err, wantText)
		}
	}
}

// TestRestrictRootSQL: on MariaDB root loses READ_ONLY ADMIN on each host.
func TestRestrictRootSQL(t *testing.T) {
	dir := writeStatements(t, t.TempDir(), sql.MariaDB, "10.11")
	out, err := runBash(t, `source "$S/lib.sh"; source "$S/replication.sh"
sql_query() { [[ "$3" == stmt-root-hosts.sql ]] && printf '%%\nlocalhost\n'; }
restrict_root_sql unused`, "CONFIG_DIR="+dir)
	want := "REVOKE READ_ONLY ADMIN ON *.* FROM 'root'@'%';\nREVOKE READ_ONLY ADMIN ON *.* FROM 'root'@'localhost';\n"
	if err != nil || out != want {
		t.Errorf("restrict_root_sql = %q (%v), want %q", out, err, want)
	}
}

// TestCloneSQL: MySQL 8 replicas pull a donor with the CLONE plugin, logged
// in as the admin account; the text is what the script printed before.
func TestCloneSQL(t *testing.T) {
	dir := writeStatements(t, t.TempDir(), sql.MySQL84, "8.4")
	out, err := runBash(t, `source "$S/lib.sh"; source "$S/clone-methods.sh"; WORK=/data/mysqlctl/clone.tmp; clone_sql mysql-2.mysql`,
		"FLAVOR=mysql", "CONFIG_DIR="+dir, "ADMIN_USER=mysqlctl", "ADMIN_PASSWORD=pw'1")
	want := "SET GLOBAL clone_valid_donor_list = 'mysql-2.mysql:3306';\n" +
		"CLONE INSTANCE FROM 'mysqlctl'@'mysql-2.mysql':3306 IDENTIFIED BY 'pw''1' DATA DIRECTORY = '/data/mysqlctl/clone.tmp/data' REQUIRE SSL;\n"
	if err != nil || out != want {
		t.Errorf("clone_sql = %q (%v), want %q", out, err, want)
	}
}

// Every statement file a script names is rendered for the flavours that run
// it, and the scripts hold no SQL of their own. lib.sh's replica status
// column names follow the statement rendered for the flavour.
func TestScriptsRunOnlyRenderedStatements(t *testing.T) {
	scripts, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	keyword := regexp.MustCompile(`\b(SELECT|SHOW|CREATE|GRANT|REVOKE|CHANGE|START|STOP|RESET|SET GLOBAL|CLONE INSTANCE)\b \S`)
	for name, text := range scripts {
		for _, m := range regexp.MustCompile(`stmt-[a-z-]+\.sql`).FindAllString(text, -1) {
			named[m] = true
		}
		for i, line := range strings.Split(text, "\n") {
			code, _, _ := strings.Cut(line, "#")
			if code = strings.TrimSpace(code); strings.HasPrefix(code, "log ") || strings.HasPrefix(code, "die ") {
				continue // messages may name statements
			}
			if keyword.MatchString(code) {
				t.Errorf("%s:%d holds SQL of its own: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
	servers := []struct {
		flavor  string
		server  sql.Flavour
		version string
		io      string
	}{
		{"mysql", sql.MySQL84, "8.4", "Replica_IO_Running"},
		{"mysql", sql.MySQL80, "8.0.23", "Replica_IO_Running"},
		{"mariadb", sql.MariaDB, "10.11", "Slave_IO_Running"},
		{"mysql57", sql.MySQL57, "5.7", "Slave_IO_Running"},
	}
	// Files only some flavours have; the scripts look for them per flavour.
	only := map[string]string{sql.FileClone: "mysql", sql.FileErrantGTID: "mysql", sql.FileOwnGTID: "mysql", sql.FileCloneLocal: "mysql", sql.FileCloneStatus: "mysql", sql.FileRestoreForgetSource: "mysql", sql.FileRootHosts: "mariadb", sql.FileRestrictRoot: "mariadb", sql.FileRestoreGTID: "mariadb"}
	notOn := map[string]string{sql.FileExecutedGTID: "mysql57", sql.FileChangeSourceHere: "mysql57"} // GTID files where replicas position by GTID
	for _, s := range servers {
		files, err := sql.PodStatements(s.server, s.version)
		if err != nil {
			t.Fatal(err)
		}
		for name := range named {
			// The semi-sync file runs only under the cnf the spec writes
			// where semi-sync is offered (MariaDB, MySQL 8.0.26+).
			offered := s.server == sql.MariaDB || s.server == sql.MySQL84
			if name == sql.FileSemiSyncSourceOn && !offered {
				continue
			}
			if want := only[name]; (want == "" || want == s.flavor) && notOn[name] != s.flavor && files[name] == "" {
				t.Errorf("the scripts run %s, which %s %s lacks", name, s.server, s.version)
			}
		}
		out, err := runBash(t, `source "$S/lib.sh"; printf '%s %s' "$IO_FIELD" "$SOURCE_HOST_FIELD"`, "FLAVOR="+s.flavor)
		replicaWords := strings.Contains(files[sql.FileReplicaStatus], "REPLICA")
		if err != nil || strings.HasPrefix(out, "Replica_") != replicaWords || !strings.HasPrefix(out, s.io) {
			t.Errorf("%s: lib.sh reads %q (%v) from %q", s.server, out, err, files[sql.FileReplicaStatus])
		}
	}
	if len(named) < 7 {
		t.Errorf("the scripts name only %v", named)
	}
}
