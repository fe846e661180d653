package sql

import (
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
	out := []string{"replica status: " + a.ReplicaStatusQuery(), "binlog status: " + a.BinlogStatusQuery()}
	add := func(stmts ...Statement) {
		for _, s := range stmts {
			out = append(out, s.String())
		}
	}
	add(a.CreateReplicationUser("repl", "%", replPassword)...)
	gtid := SourceOptions{Host: "mysql-0.mysql", Port: 3306, User: "repl", Password: replPassword, UseGTID: true}
	if a.Flavour().IsMariaDB() {
		gtid.GTIDSlavePos = ptr("0-1-12")
	}
	filePos := SourceOptions{Host: "mysql-0.mysql", Port: 3306, User: "repl", Password: replPassword,
		LogFile: "mysql-bin.000003", LogPos: 4900}
	for _, o := range []SourceOptions{gtid, filePos} {
		stmts, err := a.ChangeSource(o)
		if err != nil {
			t.Fatal(err)
		}
		add(stmts...)
	}
	add(a.StartReplica(), a.StopReplica(), a.StopReplicaSQLThread(), a.ResetReplica())
	add(a.SetReadOnly(true)...)
	add(a.SetReadOnly(false)...)
	add(a.WaitForGTID(uuidPrimary+":1-5", 2500*time.Millisecond).Statement)
	add(a.WaitForPosition("mysql-bin.000003", 4900, 30*time.Second).Statement)
	return out
}

func TestStatementsGolden(t *testing.T) {
	cases := map[string][]string{
		"5.7.44-log": {
			"replica status: SHOW SLAVE STATUS",
			"binlog status: SHOW MASTER STATUS",
			"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '<redacted>'",
			"ALTER USER 'repl'@'%' IDENTIFIED BY '<redacted>'",
			"GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
			"CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='<redacted>', MASTER_AUTO_POSITION=1",
			"CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='<redacted>', MASTER_AUTO_POSITION=0, MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=4900",
			"START SLAVE", "STOP SLAVE", "STOP SLAVE SQL_THREAD", "RESET SLAVE ALL",
			"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON",
			"SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF",
			"SELECT WAIT_FOR_EXECUTED_GTID_SET('" + uuidPrimary + ":1-5', 3) AS result",
			"SELECT MASTER_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
		},
		"8.0.36": {
			"replica status: SHOW REPLICA STATUS",
			"binlog status: SHOW MASTER STATUS",
			"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '<redacted>'",
			"ALTER USER 'repl'@'%' IDENTIFIED BY '<redacted>'",
			"GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='<redacted>', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='<redacted>', SOURCE_AUTO_POSITION=0, SOURCE_LOG_FILE='mysql-bin.000003', SOURCE_LOG_POS=4900, GET_SOURCE_PUBLIC_KEY=1",
			"START REPLICA", "STOP REPLICA", "STOP REPLICA SQL_THREAD", "RESET REPLICA ALL",
			"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON",
			"SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF",
			"SELECT WAIT_FOR_EXECUTED_GTID_SET('" + uuidPrimary + ":1-5', 3) AS result",
			"SELECT SOURCE_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
		},
		"8.4.3": {
			"replica status: SHOW REPLICA STATUS",
			"binlog status: SHOW BINARY LOG STATUS",
			"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '<redacted>'",
			"ALTER USER 'repl'@'%' IDENTIFIED BY '<redacted>'",
			"GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='<redacted>', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='<redacted>', SOURCE_AUTO_POSITION=0, SOURCE_LOG_FILE='mysql-bin.000003', SOURCE_LOG_POS=4900, GET_SOURCE_PUBLIC_KEY=1",
			"START REPLICA", "STOP REPLICA", "STOP REPLICA SQL_THREAD", "RESET REPLICA ALL",
			"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON",
			"SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF",
			"SELECT WAIT_FOR_EXECUTED_GTID_SET('" + uuidPrimary + ":1-5', 3) AS result",
			"SELECT SOURCE_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
		},
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
	"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '<redacted>'",
	"ALTER USER 'repl'@'%' IDENTIFIED BY '<redacted>'",
	"GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
	"SET GLOBAL gtid_slave_pos = '0-1-12'",
	"CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='<redacted>', MASTER_USE_GTID=slave_pos",
	"CHANGE MASTER TO MASTER_HOST='mysql-0.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='<redacted>', MASTER_USE_GTID=no, MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=4900",
	"START SLAVE", "STOP SLAVE", "STOP SLAVE SQL_THREAD", "RESET SLAVE ALL",
	"SET GLOBAL read_only = ON",
	"SET GLOBAL read_only = OFF",
	"SELECT MASTER_GTID_WAIT('" + uuidPrimary + ":1-5', 2.5) AS result",
	"SELECT MASTER_POS_WAIT('mysql-bin.000003', 4900, 30) AS result",
}

// The MySQL syntax switches at the releases documented in the 8.0 release
// notes; each boundary is pinned here.
func TestMySQLSyntaxByRelease(t *testing.T) {
	type words struct{ ReplicaStatus, BinlogStatus, Start, ChangeHead, PublicKey, PosWait string }
	cases := map[string]words{
		"5.7.44": {"SHOW SLAVE STATUS", "SHOW MASTER STATUS", "START SLAVE", "CHANGE MASTER TO MASTER_HOST", "MASTER_AUTO_POSITION=1", "MASTER_POS_WAIT"},
		"8.0.21": {"SHOW SLAVE STATUS", "SHOW MASTER STATUS", "START SLAVE", "CHANGE MASTER TO MASTER_HOST", "GET_MASTER_PUBLIC_KEY=1", "MASTER_POS_WAIT"},
		"8.0.22": {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "CHANGE MASTER TO MASTER_HOST", "GET_MASTER_PUBLIC_KEY=1", "MASTER_POS_WAIT"},
		"8.0.23": {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "GET_SOURCE_PUBLIC_KEY=1", "MASTER_POS_WAIT"},
		"8.0.26": {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
		"8.1.0":  {"SHOW REPLICA STATUS", "SHOW MASTER STATUS", "START REPLICA", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
		"8.2.0":  {"SHOW REPLICA STATUS", "SHOW BINARY LOG STATUS", "START REPLICA", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
		"9.1.0":  {"SHOW REPLICA STATUS", "SHOW BINARY LOG STATUS", "START REPLICA", "CHANGE REPLICATION SOURCE TO SOURCE_HOST", "GET_SOURCE_PUBLIC_KEY=1", "SOURCE_POS_WAIT"},
	}
	for version, want := range cases {
		a := mustAdapter(t, version)
		stmts, err := a.ChangeSource(SourceOptions{Host: "h", Port: 3306, User: "u", UseGTID: true})
		if err != nil {
			t.Fatal(err)
		}
		change := stmts[0].SQL
		opts := strings.Split(change, ", ")
		got := words{
			ReplicaStatus: a.ReplicaStatusQuery(), BinlogStatus: a.BinlogStatusQuery(),
			Start: a.StartReplica().SQL, ChangeHead: change[:strings.Index(change, "=")],
			PublicKey: opts[len(opts)-1],
			PosWait:   strings.TrimSuffix(strings.Fields(a.WaitForPosition("f", 4, time.Second).SQL)[1], "(?,"),
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", version, d)
		}
	}
}

// The password reaches the server correctly escaped, in both SQL modes.
func TestPasswordLiteralEscaping(t *testing.T) {
	cases := []struct{ sqlMode, want string }{
		{"STRICT_TRANS_TABLES", `PASSWORD='s3cr\'et\\\"pw'`},
		{"STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES", `PASSWORD='s3cr''et\"pw'`},
	}
	for _, tc := range cases {
		for _, version := range []string{"8.4.0", "10.11.6-MariaDB"} {
			a, err := NewAdapter(ServerInfo{Version: version, SQLMode: tc.sqlMode})
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := a.ChangeSource(SourceOptions{Host: "h", Port: 1, User: "u", Password: replPassword, UseGTID: true})
			if err != nil {
				t.Fatal(err)
			}
			change := stmts[len(stmts)-1]
			if !strings.Contains(change.SQL, tc.want) {
				t.Errorf("%s %s: %s does not contain %s", version, tc.sqlMode, change.SQL, tc.want)
			}
			if s := change.String(); strings.Contains(s, "s3cr") {
				t.Errorf("%s %s: String() shows the password: %s", version, tc.sqlMode, s)
			}
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

func TestChangeSourceValidation(t *testing.T) {
	good := SourceOptions{Host: "h", Port: 3306, User: "repl", UseGTID: true}
	cases := map[string]func(o *SourceOptions){
		"empty host":              func(o *SourceOptions) { o.Host = "" },
		"port 0":                  func(o *SourceOptions) { o.Port = 0 },
		"port too big":            func(o *SourceOptions) { o.Port = 70000 },
		"empty user":              func(o *SourceOptions) { o.User = "" },
		"file/pos without file":   func(o *SourceOptions) { o.UseGTID = false },
		"slave pos without GTID":  func(o *SourceOptions) { o.UseGTID, o.LogFile, o.LogPos, o.GTIDSlavePos = false, "f", 4, ptr("") },
		"bad MariaDB slave pos":   func(o *SourceOptions) { o.GTIDSlavePos = ptr("0-1") },
		"injection via slave pos": func(o *SourceOptions) { o.GTIDSlavePos = ptr("0-1-1'; DROP USER x; --") },
	}
	for name, mutate := range cases {
		o := good
		mutate(&o)
		if _, err := mustAdapter(t, "10.11.6-MariaDB").ChangeSource(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := mustAdapter(t, "10.11.6-MariaDB").ChangeSource(good); err != nil {
		t.Errorf("valid options refused: %v", err)
	}
}

// A placeholder-like character inside a literal is not an argument slot.
func TestStatementStringPlaceholders(t *testing.T) {
	s := Statement{SQL: "SELECT '?', ? AS a, ?", Args: []any{"x?y", int64(3)}}
	if got, want := s.String(), "SELECT '?', 'x?y' AS a, 3"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}
