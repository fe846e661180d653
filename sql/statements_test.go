package sql

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// replPassword has every character that breaks naive quoting.
const replPassword = `s3cr'et\"pw`

// renderAll prints every statement an adapter makes, as a dry run would.
func renderAll(t *testing.T, a Adapter) []string {
	t.Helper()
	out := []string{"replica status: " + a.ReplicaStatusQuery(), "binlog status: " + a.BinlogStatusQuery(),
		"read only: " + a.ReadOnlyQuery(), "root hosts: " + a.RootHostsQuery()}
	add := func(stmts ...Statement) {
		for _, s := range stmts {
			out = append(out, s.String())
		}
	}
	add(a.CreateAccounts()...)
	add(a.RestrictRoot()...)
	for _, by := range []Positioning{ByGTID, ByFilePosition} {
		stmts, err := a.ChangeSource(by)
		if err != nil {
			out = append(out, "error: "+err.Error())
		}
		add(stmts...)
	}
	add(a.StartReplica(), a.StartIOThread(), a.StopReplica(), a.ResetReplica())
	add(a.CloneInstance()...)
	add(a.WaitForGTID(uuidPrimary+":1-5", 2500*time.Millisecond).Statement)
	add(a.WaitForPosition("mysql-bin.000003", 4900, 30*time.Second).Statement)
	return out
}

// mysqlAccounts are the account statements of every MySQL release.
var mysqlAccounts = []string{
	"SET SESSION sql_log_bin = 0",
	"CREATE USER IF NOT EXISTS {{admin_user}}@'%' IDENTIFIED BY {{admin_password}}",
	"GRANT ALL PRIVILEGES ON *.* TO {{admin_user}}@'%' WITH GRANT OPTION",
	"CREATE USER IF NOT EXISTS {{replication_user}}@'%' IDENTIFIED BY {{replication_password}} REQUIRE SSL",
	"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO {{replication_user}}@'%'",
	"CREATE USER IF NOT EXISTS {{probe_user}}@'%' IDENTIFIED BY {{probe_password}}",
	"GRANT REPLICATION CLIENT ON *.* TO {{probe_user}}@'%'",
}

// mysql8Clone is the CLONE plugin's pair of statements (8.0.17+).
var mysql8Clone = []string{
	"SET GLOBAL clone_valid_donor_list = {{valid_donors}}",
	"CLONE INSTANCE FROM {{admin_user}}@{{donor_host}}:{{donor_port:int}} IDENTIFIED BY {{admin_password}} DATA DIRECTORY = {{clone_dir}} REQUIRE SSL",
}

func TestStatementsGolden(t *testing.T) {
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	cases := map[string][]string{
		"5.7.44-log": cat([]string{
			"replica status: SHOW SLAVE STATUS",
			"binlog status: SHOW MASTER STATUS",
			"read only: SELECT @@global.read_only",
			"root hosts: ",
		}, mysqlAccounts, []string{
			"CHANGE MASTER TO MASTER_HOST={{source_host}}, MASTER_PORT={{source_port:int}}, MASTER_USER={{replication_user}}, MASTER_PASSWORD={{replication_password}}, MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA={{source_ca}}, MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_RETRY_COUNT=4294967295, MASTER_AUTO_POSITION=1",
			"CHANGE MASTER TO MASTER_HOST={{source_host}}, MASTER_PORT={{source_port:int}}, MASTER_USER={{replication_user}}, MASTER_PASSWORD={{replication_password}}, MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA={{source_ca}}, MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_RETRY_COUNT=4294967295, MASTER_LOG_FILE={{binlog_file}}, MASTER_LOG_POS={{binlog_pos:int}}",
			"START SLAVE", "START SLAVE IO_THREAD", "STOP SLAVE", "RESET SLAVE ALL",
			"SELECT WAIT_FOR_EXECUTED_GTID_SET('" + uuidPrimary + ":1-5', 3) AS result",
			"SELECT MASTER_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
		}),
		"8.0.36": cat([]string{
			"replica status: SHOW REPLICA STATUS",
			"binlog status: SHOW MASTER STATUS",
			"read only: SELECT @@global.read_only",
			"root hosts: ",
		}, mysqlAccounts, []string{
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}, SOURCE_PORT={{source_port:int}}, SOURCE_USER={{replication_user}}, SOURCE_PASSWORD={{replication_password}}, SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA={{source_ca}}, SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}, SOURCE_PORT={{source_port:int}}, SOURCE_USER={{replication_user}}, SOURCE_PASSWORD={{replication_password}}, SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA={{source_ca}}, SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_LOG_FILE={{binlog_file}}, SOURCE_LOG_POS={{binlog_pos:int}}, GET_SOURCE_PUBLIC_KEY=1",
			"START REPLICA", "START REPLICA IO_THREAD", "STOP REPLICA", "RESET REPLICA ALL",
		}, mysql8Clone, []string{
			"SELECT WAIT_FOR_EXECUTED_GTID_SET('" + uuidPrimary + ":1-5', 3) AS result",
			"SELECT SOURCE_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
		}),
		"8.4.3": cat([]string{
			"replica status: SHOW REPLICA STATUS",
			"binlog status: SHOW BINARY LOG STATUS",
			"read only: SELECT @@global.read_only",
			"root hosts: ",
		}, mysqlAccounts, []string{
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}, SOURCE_PORT={{source_port:int}}, SOURCE_USER={{replication_user}}, SOURCE_PASSWORD={{replication_password}}, SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA={{source_ca}}, SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}, SOURCE_PORT={{source_port:int}}, SOURCE_USER={{replication_user}}, SOURCE_PASSWORD={{replication_password}}, SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA={{source_ca}}, SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_LOG_FILE={{binlog_file}}, SOURCE_LOG_POS={{binlog_pos:int}}, GET_SOURCE_PUBLIC_KEY=1",
			"START REPLICA", "START REPLICA IO_THREAD", "STOP REPLICA", "RESET REPLICA ALL",
		}, mysql8Clone, []string{
			"SELECT WAIT_FOR_EXECUTED_GTID_SET('" + uuidPrimary + ":1-5', 3) AS result",
			"SELECT SOURCE_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
		}),
		"10.11.19-MariaDB-0+deb12u1-log": mariadbGolden,
		"11.4.2-MariaDB-ubu2404":         mariadbGolden,
	}
	for version, want := range cases {
		t.Run(version, func(t *testing.T) {
			if d := cmp.Diff(want, renderAll(t, mustAdapter(t, version))); d != "" {
				t.Errorf("statements (-want +got):\n%s", d)
			}
		})
	}
}

var mariadbGolden = []string{
	"replica status: SHOW SLAVE STATUS",
	"binlog status: SHOW MASTER STATUS",
	"read only: SELECT @@global.read_only",
	"root hosts: SELECT Host FROM mysql.user WHERE User = 'root' AND (@@skip_name_resolve = 0 OR Host = 'localhost' OR Host REGEXP '^[0-9.:%_/]+$')",
	"SET SESSION sql_log_bin = 0",
	"CREATE USER IF NOT EXISTS {{admin_user}}@'%' IDENTIFIED BY {{admin_password}}",
	"GRANT ALL PRIVILEGES ON *.* TO {{admin_user}}@'%' WITH GRANT OPTION",
	"CREATE USER IF NOT EXISTS {{replication_user}}@'%' IDENTIFIED BY {{replication_password}} REQUIRE SSL",
	"GRANT REPLICATION SLAVE ON *.* TO {{replication_user}}@'%'",
	"CREATE USER IF NOT EXISTS {{probe_user}}@'%' IDENTIFIED BY {{probe_password}}",
	"GRANT SLAVE MONITOR ON *.* TO {{probe_user}}@'%'",
	"REVOKE READ_ONLY ADMIN ON *.* FROM 'root'@{{root_host}}",
	"SET GLOBAL gtid_slave_pos = {{gtid}}",
	"CHANGE MASTER TO MASTER_HOST={{source_host}}, MASTER_PORT={{source_port:int}}, MASTER_USER={{replication_user}}, MASTER_PASSWORD={{replication_password}}, MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA={{source_ca}}, MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_USE_GTID=slave_pos",
	"error: change source: MariaDB replicas are positioned by GTID only",
	"START SLAVE", "START SLAVE IO_THREAD", "STOP SLAVE", "RESET SLAVE ALL",
	"SELECT MASTER_GTID_WAIT('" + uuidPrimary + ":1-5', 2.5) AS result",
	"SELECT MASTER_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
}

// The MySQL syntax switches at the releases documented in the 8.0 release
// notes; each boundary is pinned here.
func TestMySQLSyntaxByRelease(t *testing.T) {
	type words struct{ ReplicaStatus, BinlogStatus, Start, StartIO, ChangeHead, Retry, PublicKey, PosWait string }
	cases := map[string]words{
		"5.7.44": {"SHOW SLAVE STATUS", "SHOW MASTER STATUS", "START SLAVE", "START SLAVE IO_THREAD", "CHANGE MASTER TO MASTER_HOST", "MASTER_RETRY_COUNT=4294967295", "MASTER_AUTO_POSITION=1", "MASTER_POS_WAIT"},
		"8.0.21": {"SHOW SLAVE STATUS", "SHOW MASTER STATUS", "START SLAVE", "START SLAVE IO_THREAD", "CHANGE MASTER TO MASTER_HOST", "MASTER_RETRY_COUNT=4294967295", "GET_MASTER_PUBLIC_KEY=1", "MASTER_POS_WAIT"},
		"8.0.22": {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "START REPLICA IO_THREAD", "CHANGE MASTER TO MASTER_HOST", "MASTER_RETRY_COUNT=4294967295", "GET_MASTER_PUBLIC_KEY=1", "MASTER_POS_WAIT"},
		"8.0.23": {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "START REPLICA IO_THREAD", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "SOURCE_RETRY_COUNT=4294967295", "GET_SOURCE_PUBLIC_KEY=1", "MASTER_POS_WAIT"},
		"8.0.26": {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "START REPLICA IO_THREAD", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "SOURCE_RETRY_COUNT=4294967295", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
		"8.1.0":  {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "START REPLICA IO_THREAD", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "SOURCE_RETRY_COUNT=4294967295", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
		"8.2.0":  {"SHOW REPLICA STATUS", "SHOW BINARY LOG STATUS", "START REPLICA", "START REPLICA IO_THREAD", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "SOURCE_RETRY_COUNT=4294967295", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
		"9.1.0":  {"SHOW REPLICA STATUS", "SHOW BINARY LOG STATUS", "START REPLICA", "START REPLICA IO_THREAD", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "SOURCE_RETRY_COUNT=4294967295", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
	}
	for version, want := range cases {
		a := mustAdapter(t, version)
		stmts, err := a.ChangeSource(ByGTID)
		if err != nil {
			t.Fatal(err)
		}
		change := stmts[0].SQL
		opts := strings.Split(change, ", ")
		got := words{
			ReplicaStatus: a.ReplicaStatusQuery(), BinlogStatus: a.BinlogStatusQuery(),
			Start: a.StartReplica().SQL, StartIO: a.StartIOThread().SQL,
			ChangeHead: change[:strings.Index(change, "=")], Retry: optionOf(opts, "RETRY_COUNT"),
			PublicKey: opts[len(opts)-1],
			PosWait:   strings.TrimSuffix(strings.Fields(a.WaitForPosition("f", 4, time.Second).SQL)[1], "(?,"),
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", version, d)
		}
	}
}

func TestQuoteString(t *testing.T) {
	cases := map[string]string{
		"":            "''",
		"plain":       "'plain'",
		"it's":        `'it\'s'`,
		`back\slash`:  `'back\\slash'`,
		`"dq"`:        `'\"dq\"'`,
		"nul\x00byte": `'nul\0byte'`,
		"line\nbreak": `'line\nbreak'`,
		"cr\rz\x1a":   `'cr\rz\Z'`,
		"héllo":       "'héllo'",
	}
	for in, want := range cases {
		if got := QuoteString(in); got != want {
			t.Errorf("QuoteString(%q) = %s, want %s", in, got, want)
		}
	}
	if got := quoteStringNoBackslash(`a'b\c`); got != `'a''b\c'` {
		t.Errorf("quoteStringNoBackslash = %s", got)
	}
	if got := QuoteIdentifier("we`ird"); got != "`we``ird`" {
		t.Errorf("QuoteIdentifier = %s", got)
	}
}

// A placeholder-like character inside a literal is not an argument slot.
func TestStatementStringPlaceholders(t *testing.T) {
	s := Statement{SQL: "SELECT '?', ? AS a, ?", Args: []any{"x?y", int64(3)}}
	if got, want := s.String(), "SELECT '?', 'x?y' AS a, 3"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

// optionOf is the option of a CHANGE statement that names key.
func optionOf(opts []string, key string) string {
	for _, o := range opts {
		if strings.Contains(o, key) {
			return o
		}
	}
	return ""
}
