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

// The pods' errant file on MariaDB (stmt-errant-gtid.sql, filled with the
// source's stmt-executed-gtid.sql as the sidecar and the clone container
// do). A replica's own write is errant while the replica still replicates,
// before the primary writes again: the window in which a new pod could
// clone it. A healthy replica shows nothing, before and after the
// primary's next write, and a primary whose last write never reached a
// replica holds exactly that write against it (a former primary beside
// the replica promoted in its place).
func TestMariaDBErrantByPodFiles(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	r1, r2 := tr.replica1, tr.replica2
	execAs(t, r1.open(t, adminLogin), "INSERT INTO app.t VALUES (100, 'written on a replica')")
	rep := r1.report(t)
	if !strings.HasPrefix(rep.GTID.BinlogPos, "0-2-") || !rep.Replica.Replicating() {
		t.Fatalf("replica-1 wrote %q and replicates %v: want a GTID of server 2, still replicating", rep.GTID.BinlogPos, rep.Replica.Replicating())
	}
	if got := tr.errantByPodFiles(t, r1, tr.primary); got != rep.GTID.BinlogPos {
		t.Errorf("%s on replica-1 = %q, want its own write %s", FileErrantGTID, got, rep.GTID.BinlogPos)
	}
	if got := tr.errantByPodFiles(t, r2, tr.primary); got != "" {
		t.Errorf("%s on replica-2 = %q, want none", FileErrantGTID, got)
	}

	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	pos := tr.primary.report(t).GTID.BinlogPos
	if err := r2.conn.WaitForGTID(testContext(t), pos, 15*time.Second); err != nil {
		t.Fatalf("replica-2 did not catch up to %s: %v", pos, err)
	}
	if got := tr.errantByPodFiles(t, r2, tr.primary); got != "" {
		t.Errorf("%s on replica-2 after the primary's write = %q, want none", FileErrantGTID, got)
	}

	r2.exec(t, "STOP SLAVE IO_THREAD")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (4, 'four')")
	unsent := tr.primary.report(t).GTID.BinlogPos
	if got := tr.errantByPodFiles(t, tr.primary, r2); got != unsent {
		t.Errorf("%s on the primary against replica-2 = %q, want its unsent write %s", FileErrantGTID, got, unsent)
	}
}

// errantByPodFiles is what the pods' errant file finds on s against
// source's position, s's own state read first as errant_on does.
func (tr *trio) errantByPodFiles(t *testing.T, s, source *mariadbServer) string {
	t.Helper()
	own := strings.TrimSpace(tr.pod.mustRun(t, s, adminLogin, tr.pod.fill(t, FileOwnGTID)))
	theirs := strings.TrimSpace(tr.pod.mustRun(t, source, adminLogin, tr.pod.fill(t, FileExecutedGTID)))
	return strings.TrimSpace(tr.pod.mustRun(t, s, adminLogin, tr.pod.fill(t, FileErrantGTID, "own_gtid="+own, "source_gtid="+theirs)))
}
