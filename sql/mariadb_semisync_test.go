package sql

import (
	"testing"
	"time"
)

// Semi-sync on real MariaDB servers started as the pods' cnf starts them
// when the spec asks for it (the replica side on, the source side off, a
// timeout): the report reads it, SemiSyncSource turns the primary's side
// on, a replica's receiver then acknowledges, and with the receiver
// stopped a commit waits the timeout and the primary falls back (counted
// in NoAck), which is what check reports.
func TestMariaDBSemiSync(t *testing.T) {
	t.Parallel()
	cnf := []string{"--rpl-semi-sync-slave-enabled=ON", "--rpl-semi-sync-master-enabled=OFF",
		"--rpl-semi-sync-master-timeout=500", "--rpl-semi-sync-master-wait-point=AFTER_SYNC"}
	primary := launchMariaDB(t, "primary", 1, cnf...)
	replica := launchMariaDB(t, "replica", 2, append([]string{"--read-only=ON"}, cnf...)...)
	primary.waitReady(t)
	replica.waitReady(t)
	k := newPodKit(t)
	k.bootstrapPrimary(t, primary)
	k.createAccounts(t, replica)

	rep := primary.report(t)
	if s := rep.SemiSync; s == nil || !s.Configured || s.SourceEnabled || s.TimeoutMillis != 500 {
		t.Fatalf("a server as the pods start it: semi-sync %+v, want configured, source side off, 500 ms", s)
	}
	if err := primary.conn.Exec(testContext(t), SemiSyncSource(primary.conn.Adapter(), true)...); err != nil {
		t.Fatal(err)
	}
	k.pointAt(t, replica, primary, adminLogin, "")
	deadline := time.Now().Add(15 * time.Second)
	for s := primary.report(t).SemiSync; s.Clients != 1; s = primary.report(t).SemiSync {
		if time.Now().After(deadline) {
			t.Fatalf("the replica never connected as semi-synchronous: %+v", s)
		}
		time.Sleep(100 * time.Millisecond)
	}
	primary.exec(t, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)", "INSERT INTO app.t VALUES (1)")
	s := primary.report(t).SemiSync
	if !s.SourceEnabled || !s.SourceActive || s.NoAck != 0 {
		t.Errorf("after acknowledged commits: %+v, want the source side on and active, no commit without an ack", s)
	}
	if r := replica.report(t).SemiSync; !r.ReplicaActive || r.SourceEnabled {
		t.Errorf("the replica: %+v, want its receiver acknowledging and its source side off", r)
	}

	replica.exec(t, "STOP SLAVE IO_THREAD")
	primary.exec(t, "INSERT INTO app.t VALUES (2)") // waits 500 ms for an ack
	s = primary.report(t).SemiSync
	if s.SourceActive || s.NoAck == 0 || s.Clients != 0 {
		t.Errorf("with no replica to acknowledge: %+v, want fallen back (not active), a commit without an ack, no client", s)
	}
	if err := primary.conn.Exec(testContext(t), SemiSyncSource(primary.conn.Adapter(), false)...); err != nil {
		t.Fatal(err)
	}
	if s := primary.report(t).SemiSync; s.SourceEnabled || !s.Configured {
		t.Errorf("fenced: %+v, want the source side off and still configured", s)
	}
}
