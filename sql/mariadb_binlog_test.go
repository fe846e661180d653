package sql

import (
	"fmt"
	"strings"
	"testing"
)

// No password of any account reaches a binary log. After the bootstrap the
// sidecar runs (accounts, then root's REVOKE), a table, and replication of
// both, neither the primary's binary log nor the replicas' (they log what
// they apply: log_slave_updates) holds the admin or the replication
// password in any quoted form, while the replicas still let both accounts
// log in (TestMariaDBPodStatements checks their grants). A control server
// that runs the same accounts file without its first statement shows the
// check can see a password: MariaDB binlogs CREATE USER ... IDENTIFIED BY
// as written.
func TestMariaDBAccountsStayOutOfTheBinlog(t *testing.T) {
	t.Parallel()
	control := launchMariaDB(t, "control", 9)
	tr := startTrio(t)
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	tr.catchUp(t)
	secrets := []string{adminLogin.password, replLogin.password}
	for _, s := range []*mariadbServer{tr.primary, tr.replica1, tr.replica2} {
		events := s.binlogEvents(t)
		if !strings.Contains(events, "CREATE TABLE app.t") {
			t.Fatalf("%s: binlog events without the test's own DDL, so not read:\n%s", s.name, events)
		}
		if found := passwordIn(events, secrets); found != "" {
			t.Errorf("%s: a password is in the binary log (%s):\n%s", s.name, found, events)
		}
		s.open(t, adminLogin)
		s.open(t, replLogin)
	}

	control.waitReady(t)
	accounts := tr.pod.fill(t, FileAccounts, "admin_user="+adminLogin.user,
		"admin_password="+adminLogin.password, "replication_user="+replLogin.user,
		"replication_password="+replLogin.password, "probe_user=mysqlctl_probe", "probe_password=probePW")
	first, rest, _ := strings.Cut(accounts, "\n")
	if !strings.Contains(first, "sql_log_bin = 0") {
		t.Fatalf("%s starts with %q", FileAccounts, first)
	}
	tr.pod.mustRun(t, control, rootLogin, rest)
	if found := passwordIn(control.binlogEvents(t), secrets); found == "" {
		t.Errorf("control: accounts created with binary logging on left no password in the binlog: the check is blind")
	}
}

// binlogEvents is the Info column of every event in every binary log of s,
// one event a line (statements such as CREATE USER appear as written).
func (s *mariadbServer) binlogEvents(t *testing.T) string {
	t.Helper()
	ctx := testContext(t)
	logs, err := s.conn.query(ctx, "SHOW BINARY LOGS")
	if err != nil || len(logs) == 0 {
		t.Fatalf("%s: SHOW BINARY LOGS: %d rows, %v", s.name, len(logs), err)
	}
	var b strings.Builder
	for _, l := range logs {
		f := &fields{r: l}
		events, err := s.conn.query(ctx, "SHOW BINLOG EVENTS IN "+QuoteString(f.str("Log_name")))
		if err != nil {
			t.Fatalf("%s: SHOW BINLOG EVENTS: %v", s.name, err)
		}
		for _, e := range events {
			ef := &fields{r: e}
			fmt.Fprintf(&b, "%s %s: %s\n", ef.str("Log_name"), ef.str("Event_type"), ef.str("Info"))
		}
	}
	return b.String()
}

// passwordIn names the first secret found in text in any form a statement
// could carry it: as is, quoted for the default sql_mode (backslashes and
// quotes escaped), or as sql_fill writes it (both doubled).
func passwordIn(text string, secrets []string) string {
	for _, pw := range secrets {
		filled := strings.ReplaceAll(strings.ReplaceAll(pw, `\`, `\\`), "'", "''")
		escaped := strings.TrimSuffix(strings.TrimPrefix(QuoteString(pw), "'"), "'")
		for _, form := range []string{pw, escaped, filled} {
			if strings.Contains(text, form) {
				return fmt.Sprintf("%q", form)
			}
		}
	}
	return ""
}
