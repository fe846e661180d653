package sql

import (
	"context"
	"testing"
	"time"
)

// trio is a primary and two replicas replicating by GTID, configured with
// the package's own statements.
type trio struct {
	primary, replica1, replica2 *mariadbServer
}

// startTrio starts three servers, creates the replication account and a
// table app.t on the primary, points both replicas at it from the start of
// its binary log, and waits until they have caught up.
func startTrio(t *testing.T) *trio {
	t.Helper()
	tr := &trio{
		primary:  launchMariaDB(t, "primary", 1),
		replica1: launchMariaDB(t, "replica-1", 2),
		replica2: launchMariaDB(t, "replica-2", 3),
	}
	for _, s := range []*mariadbServer{tr.primary, tr.replica1, tr.replica2} {
		s.waitReady(t)
	}
	ctx := testContext(t)
	if err := tr.primary.conn.CreateReplicationUser(ctx, "repl", "%", replPassword); err != nil {
		t.Fatal(err)
	}
	tr.primary.exec(t, "CREATE DATABASE app",
		"CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(50))",
		"INSERT INTO app.t VALUES (1, 'one'), (2, 'two')")
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		follow(t, r, tr.primary, ptr(""))
	}
	tr.catchUp(t)
	return tr
}

// follow makes r a read-only replica of source.
func follow(t *testing.T, r, source *mariadbServer, slavePos *string) {
	t.Helper()
	ctx := testContext(t)
	for _, step := range []func() error{
		func() error { return r.conn.SetReadOnly(ctx, true) },
		func() error { return r.conn.StopReplica(ctx) },
		func() error {
			return r.conn.ChangeSource(ctx, SourceOptions{Host: "127.0.0.1", Port: source.port, User: "repl",
				Password: replPassword, UseGTID: true, GTIDSlavePos: slavePos})
		},
		func() error { return r.conn.StartReplica(ctx) },
	} {
		if err := step(); err != nil {
			t.Fatalf("make %s a replica of %s: %v", r.name, source.name, err)
		}
	}
}

// catchUp waits until both replicas executed the primary's GTID position,
// and returns that position.
func (tr *trio) catchUp(t *testing.T) string {
	t.Helper()
	pos := tr.primary.report(t).GTID.BinlogPos
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		if err := r.conn.WaitForGTID(testContext(t), pos, 15*time.Second); err != nil {
			t.Fatalf("%s did not catch up to %s: %v\n%s", r.name, pos, err, r.errorLog())
		}
	}
	return pos
}

// reports reads the primary first, so errant checks see no false alarms.
func (tr *trio) reports(t *testing.T) []*InstanceReport {
	t.Helper()
	return []*InstanceReport{tr.primary.report(t), tr.replica1.report(t), tr.replica2.report(t)}
}

func (s *mariadbServer) report(t *testing.T) *InstanceReport {
	t.Helper()
	rep, err := s.conn.Report(testContext(t))
	if err != nil {
		t.Fatalf("report of %s: %v", s.name, err)
	}
	return rep
}

// exec runs plain statements (test data, not replication control).
func (s *mariadbServer) exec(t *testing.T, sqls ...string) {
	t.Helper()
	for _, q := range sqls {
		if err := s.conn.Exec(testContext(t), Statement{SQL: q}); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
}

// eventually polls cond until it holds, failing the test after 15 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
