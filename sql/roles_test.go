package sql

import (
	"strings"
	"testing"
)

// PointAt fills the flavour's change of source with literals (passwords
// quoted, never as "?" arguments), stops and resets first and starts last;
// MySQL 5.7, positioned by file and position, is refused. The position is
// the server's own, read by the statement after STOP: one read before
// would be stale once someone else started the replica in between.
func TestPointAt(t *testing.T) {
	src := Source{Host: "mysql-2.mysql", Port: 3306, User: "repl", Password: "p'w", CA: "/etc/mysqlctl/tls/ca.crt"}
	want := map[Flavour][]string{
		MariaDB: {"STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos",
			"CHANGE MASTER TO MASTER_HOST='mysql-2.mysql', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='p\\'w', MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA='/etc/mysqlctl/tls/ca.crt', MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_USE_GTID=slave_pos", "START SLAVE"},
		MySQL84: {"STOP REPLICA", "RESET REPLICA ALL",
			"CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-2.mysql', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='p\\'w', SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA='/etc/mysqlctl/tls/ca.crt', SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1", "START REPLICA"},
	}
	versions := map[Flavour]string{MariaDB: "10.11", MySQL84: "8.4", MySQL57: "5.7"}
	for flavour, version := range versions {
		a, err := podAdapter(flavour, version)
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := PointAt(a, src)
		if flavour == MySQL57 {
			if err == nil || !strings.Contains(err.Error(), "cannot move") {
				t.Errorf("5.7: %v, want a refusal", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range stmts {
			if len(s.Args) != 0 {
				t.Errorf("%s: %q carries arguments", flavour, s.SQL)
			}
			got = append(got, s.SQL)
		}
		if strings.Join(got, "\n") != strings.Join(want[flavour], "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", flavour, strings.Join(got, "\n"), strings.Join(want[flavour], "\n"))
		}
	}
}

// Fill refuses a missing value and a non-integer for {{x:int}}.
func TestFillRefuses(t *testing.T) {
	if _, err := Fill(Statement{SQL: "SELECT {{a}}"}, nil); err == nil {
		t.Error("a missing value was accepted")
	}
	if _, err := Fill(Statement{SQL: "SELECT {{a:int}}"}, map[string]string{"a": "1 OR 1"}); err == nil {
		t.Error("a non-integer was accepted for an :int placeholder")
	}
}

// The fence and its lifting per flavour: MySQL's super_read_only stops
// every account; MariaDB's read_only spares only READ_ONLY ADMIN.
func TestFenceAndMakeWritable(t *testing.T) {
	m, _ := podAdapter(MariaDB, "10.11")
	y, _ := podAdapter(MySQL84, "8.4")
	if got := script(m.Fence()...); got != "SET GLOBAL read_only = ON;\n" {
		t.Errorf("mariadb fence %q", got)
	}
	if got := script(y.Fence()...); got != "SET GLOBAL super_read_only = ON;\n" {
		t.Errorf("mysql fence %q", got)
	}
	if got := script(y.MakeWritable()...); got != "SET GLOBAL super_read_only = OFF;\nSET GLOBAL read_only = OFF;\n" {
		t.Errorf("mysql writable %q", got)
	}
}
