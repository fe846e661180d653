package sql

import (
	"context"
	"strings"
	"testing"
)

// TestMariaDBRotatesTheReplicationPassword on real servers: the primary's
// binary-logged statements make every replica accept the old and the new
// password, then the new alone; replicas given the new one keep
// replicating across a reconnect; no form of either password reaches a
// binary log; running the first step again changes nothing.
func TestMariaDBRotatesTheReplicationPassword(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	a := tr.primary.conn.Adapter()
	ctx := testContext(t)
	repl := Login{User: replLogin.user, Host: "%"}
	const newPassword = "n3wReplPassw0rd"
	admit, err := AdmitBothPasswords(a, repl, replLogin.password, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second run is a resumed rotation's
		if err := tr.primary.conn.ExecHiding(ctx, []string{replLogin.password, newPassword}, admit...); err != nil {
			t.Fatal(err)
		}
	}
	tr.catchUp(t)
	servers := []*mariadbServer{tr.primary, tr.replica1, tr.replica2}
	for _, s := range servers {
		assertLogin(t, s, replLogin.user, replLogin.password, true)
		assertLogin(t, s, replLogin.user, newPassword, true)
	}
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		if err := r.conn.ExecHiding(ctx, []string{newPassword}, ChangeReplicationPassword(r.conn.Adapter(), newPassword)...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.primary.conn.ExecHiding(ctx, []string{newPassword}, KeepOnlyPassword(a, repl, newPassword)...); err != nil {
		t.Fatal(err)
	}
	tr.catchUp(t)
	for _, s := range servers {
		assertLogin(t, s, replLogin.user, replLogin.password, false)
		assertLogin(t, s, replLogin.user, newPassword, true)
	}
	// A receiver that logs in again now needs the new password.
	tr.replica1.exec(t, "STOP SLAVE", "START SLAVE")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	tr.catchUp(t)
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		eventually(t, r.name+" replicates with the new password", func() bool {
			rep := r.report(t)
			return rep.Replica != nil && rep.Replica.IOThread.Running() && rep.Replica.SQLThread.Running()
		})
	}
	for _, s := range servers {
		events := s.binlogEvents(t)
		if !strings.Contains(events, "mysql_native_password USING") {
			t.Fatalf("%s: the rotation's statements are not in its binlog:\n%s", s.name, events)
		}
		if found := passwordIn(events, []string{replLogin.password, newPassword}); found != "" {
			t.Errorf("%s: a password is in the binary log (%s)", s.name, found)
		}
	}
}

// assertLogin checks that user can (or cannot) log in to s with password.
func assertLogin(t *testing.T, s *mariadbServer, user, password string, want bool) {
	t.Helper()
	c, err := Open(context.Background(), s.target(user, password))
	if err == nil {
		c.Close()
	}
	if (err == nil) != want {
		t.Errorf("%s: log in as %s with the %s password: %v, want success %v", s.name, user, map[bool]string{true: "new", false: "old"}[password != replLogin.password], err, want)
	}
}
