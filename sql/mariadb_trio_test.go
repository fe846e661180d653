package sql

import (
	"context"
	"testing"
	"time"
)

// trio is a primary and two read-only replicas replicating by GTID, set
// up with the statement files the pods run (see podKit).
type trio struct {
	primary, replica1, replica2 *mariadbServer
	pod                         *podKit
}

// startTrio starts three servers, bootstraps the primary's accounts as the
// sidecar does, creates a table app.t on it, gives both replicas the
// accounts a clone of the primary would carry (the accounts file never
// reaches a binary log, so they cannot replicate), points them at the
// primary from the start of its binary log as the admin account, and waits
// until they have caught up.
func startTrio(t *testing.T) *trio {
	t.Helper()
	tr := &trio{
		primary:  launchMariaDB(t, "primary", 1),
		replica1: launchMariaDB(t, "replica-1", 2, "--read-only=ON"),
		replica2: launchMariaDB(t, "replica-2", 3, "--read-only=ON"),
		pod:      newPodKit(t),
	}
	for _, s := range []*mariadbServer{tr.primary, tr.replica1, tr.replica2} {
		s.waitReady(t)
	}
	tr.pod.bootstrapPrimary(t, tr.primary)
	tr.primary.exec(t, "CREATE DATABASE app",
		"CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(50))",
		"INSERT INTO app.t VALUES (1, 'one'), (2, 'two')")
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		tr.pod.createAccounts(t, r)
		tr.pod.pointAt(t, r, tr.primary, adminLogin, "")
	}
	tr.catchUp(t)
	return tr
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

// exec runs plain statements (test data and faults, not replication
// control) in root's first session.
func (s *mariadbServer) exec(t *testing.T, sqls ...string) {
	t.Helper()
	execAs(t, s.conn, sqls...)
}

func execAs(t *testing.T, c *Conn, sqls ...string) {
	t.Helper()
	for _, q := range sqls {
		if err := c.Exec(testContext(t), Statement{SQL: q}); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
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

// assertAppChecksumsMatch checks that app.t, the trios' one table, has the
// same checksum on the primary and both replicas (named replica-1 and
// replica-2, as the trios' targets are).
func assertAppChecksumsMatch(t *testing.T, ctx context.Context, primary, replica1, replica2 *Conn) {
	t.Helper()
	sums, err := ChecksumTables(ctx, primary, replica1, replica2)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums.Tables) != 1 || sums.Tables[0].Table != "app.t" || sums.Tables[0].Checksums["replica-2"] == nil {
		t.Fatalf("checksums: %+v", sums)
	}
	if m := sums.Mismatched(); len(m) != 0 {
		t.Errorf("checksums differ after catch-up: %v", m)
	}
}
