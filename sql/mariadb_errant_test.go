package sql

import (
	"strings"
	"testing"
	"time"
)

// Errant transactions on real servers: a write made on a replica shows as
// errant, and keeps showing after the primary's later transactions
// replicated on top of it.

func TestMariaDBErrantTransaction(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	ctx := testContext(t)
	r1 := tr.replica1
	// The admin account keeps READ_ONLY ADMIN: it can write on a replica.
	execAs(t, r1.open(t, adminLogin), "INSERT INTO app.t VALUES (100, 'written on a replica')")
	facts := Analyze(tr.reports(t))
	if got := facts.Instances[1].Errant; !strings.HasPrefix(got, "0-2-") {
		t.Errorf("replica-1 errant = %q, want a GTID of server 2", got)
	}
	if got := facts.Instances[2].Errant; got != "" {
		t.Errorf("replica-2 errant = %q, want none", got)
	}
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-1 has errant transactions") {
		t.Errorf("problems %q", facts.Problems)
	}
	sums, err := ChecksumTables(ctx, tr.primary.conn, r1.conn, tr.replica2.conn)
	if err != nil {
		t.Fatal(err)
	}
	if m := sums.Mismatched(); len(m) != 1 || m[0] != "app.t" {
		t.Fatalf("mismatched %v, want [app.t]", m)
	}
	c := sums.Tables[0].Checksums
	if *c["primary"] == *c["replica-1"] || *c["primary"] != *c["replica-2"] {
		t.Errorf("checksums %d %d %d: only replica-1 should differ", *c["primary"], *c["replica-1"], *c["replica-2"])
	}
}

// A replica's write would be buried when the primary's later transactions
// of the same domain replicated on top of it: gtid_current_pos would then
// show only the primary's GTID, and errant detection (which cannot tell a
// clone's gap from it, see MariaDBGTIDState.Errant) would miss it. With
// gtid_strict_mode (the pods' cnf, and these servers) it cannot be: the
// replica refuses the primary's next GTID of the domain with error 1950,
// and its stopped replication is what status and check report.
func TestMariaDBBuriedWriteStopsReplication(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	r1 := tr.replica1
	execAs(t, r1.open(t, adminLogin), "INSERT INTO app.t VALUES (100, 'written on a replica')")
	errant := r1.report(t).GTID.BinlogPos
	if !strings.HasPrefix(errant, "0-2-") {
		t.Fatalf("replica-1 wrote %q, want a GTID of server 2", errant)
	}
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')", "INSERT INTO app.t VALUES (4, 'four')")
	rep := waitSQLThreadStopped(t, r1)
	if e := rep.Replica.LastSQLError; e == nil || e.Errno != 1950 {
		t.Fatalf("replica-1's applier stopped with %+v, want error 1950 (out-of-order GTID)", e)
	}
	facts := Analyze(tr.reports(t))
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-1") {
		t.Errorf("the analysis does not name replica-1: %q", facts.Problems)
	}
	if got := facts.Instances[2].Errant; got != "" {
		t.Errorf("replica-2 errant = %q, want none", got)
	}
}

// waitSQLThreadStopped waits up to 15 s for the server's applier to stop,
// and returns its report then.
func waitSQLThreadStopped(t *testing.T, s *mariadbServer) *InstanceReport {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rep := s.report(t)
		if rep.Replica != nil && !rep.Replica.SQLThread.Running() {
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's applier still runs after 15 s: %+v", s.name, rep.Replica)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
