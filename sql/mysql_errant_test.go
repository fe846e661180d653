package sql

import (
	"strings"
	"testing"
	"time"
)

// Errant transactions on real MySQL 9.7.4 servers, found both ways mysqlctl
// looks for them: Analyze subtracting the reports' gtid_executed sets, and
// the pods' stmt-errant-gtid.sql (GTID_SUBTRACT on the server), which the
// sidecar asks before it points a server at a new source.

// A transaction written on a replica is errant: both ways name the
// replica's own GTID, the replica keeps replicating on top of it (MySQL
// stops nothing), and only its checksum differs.
func TestMySQLErrantTransaction(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	r1 := tr.replica1
	r1.writeOnReplica(t, "INSERT INTO app.t VALUES (100, 'written on a replica')")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	tr.catchUp(t)
	reports := tr.reports(t)
	want := reports[1].ServerUUID + ":1"
	facts := Analyze(reports)
	if got := facts.Instances[1].Errant; got != want {
		t.Errorf("replica-1 errant = %q, want its own first GTID %s", got, want)
	}
	if got := facts.Instances[2].Errant; got != "" {
		t.Errorf("replica-2 errant = %q, want none", got)
	}
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-1 has errant transactions the primary primary does not have: "+want) {
		t.Errorf("problems %q", facts.Problems)
	}
	if !reports[1].Replica.Replicating() {
		t.Errorf("replica-1 stopped: %+v", reports[1].Replica)
	}
	if got, _ := errantByPodFiles(t, tr.pod, r1, tr.primary); got != want {
		t.Errorf("%s on replica-1 = %q, want %q", FileErrantGTID, got, want)
	}
	if got, _ := errantByPodFiles(t, tr.pod, tr.replica2, tr.primary); got != "" {
		t.Errorf("%s on replica-2 = %q, want none", FileErrantGTID, got)
	}
	sums, err := ChecksumTables(testContext(t), tr.primary.conn, r1.conn, tr.replica2.conn)
	if err != nil {
		t.Fatal(err)
	}
	c := sums.Tables[0].Checksums
	if m := sums.Mismatched(); len(m) != 1 || *c["primary"] == *c["replica-1"] || *c["primary"] != *c["replica-2"] {
		t.Errorf("mismatched %v, checksums %d %d %d: only replica-1 should differ", m, *c["primary"], *c["replica-1"], *c["replica-2"])
	}
}

// A former primary whose last transactions never reached the replica
// promoted in its place holds transactions the new primary lacks. The
// errant file finds exactly those, as Analyze does. That check is all
// that stands between it and a diverged copy: pointed at the new primary
// by auto-position anyway, MySQL replicates the new primary's transactions
// on top of them without an error, and they stay there.
func TestMySQLFormerPrimaryErrant(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	ctx := testContext(t)
	old, next := tr.primary, tr.replica1
	next.mustClient(t, adminLogin, tr.pod.fill(t, FileStopReplica))
	old.exec(t, "INSERT INTO app.t VALUES (10, 'never sent')", "INSERT INTO app.t VALUES (11, 'never sent')")
	// The switchover: the old primary fenced, the replica promoted.
	if err := old.conn.Exec(ctx, old.conn.Adapter().Fence()...); err != nil {
		t.Fatal(err)
	}
	a := next.conn.Adapter()
	if err := next.conn.Exec(ctx, a.StopReplica(), a.ResetReplica()); err != nil {
		t.Fatal(err)
	}
	next.mustClient(t, adminLogin, tr.pod.fill(t, FileMakeWritable))
	next.exec(t, "INSERT INTO app.t VALUES (12, 'on the new primary')")

	nextRep, oldRep := next.report(t), old.report(t)
	want := mustGTIDSet(t, oldRep.GTID.Executed).Subtract(mustGTIDSet(t, nextRep.GTID.Executed))
	if want.Count() != 2 || !strings.HasPrefix(want.String(), oldRep.ServerUUID+":") {
		t.Fatalf("unsent transactions %q, want 2 of the old primary", want)
	}
	got, theirs := errantByPodFiles(t, tr.pod, old, next)
	if !strings.Contains(theirs, `\n`) {
		t.Errorf("the new primary's gtid_executed printed as %q: want two UUIDs, joined by the client's \\n", theirs)
	}
	if got != want.String() {
		t.Errorf("%s on the former primary = %q, want %q", FileErrantGTID, got, want)
	}
	facts := Analyze([]*InstanceReport{nextRep, oldRep})
	if facts.Primary != "replica-1" || facts.Instances[0].Role != RoleNone || facts.Instances[0].Errant != want.String() {
		t.Fatalf("facts after the switchover: %+v", facts)
	}

	// What the sidecar's refuse_errant prevents.
	tr.pod.mysqlPointAt(t, old, next)
	if err := old.conn.WaitForGTID(ctx, nextRep.GTID.Executed, 10*time.Second); err != nil {
		t.Fatalf("the former primary did not replicate the new primary's transactions: %v\n%s", err, old.errorLog())
	}
	oldRep = old.report(t)
	if r := oldRep.Replica; r == nil || !r.Replicating() || r.LastIOError != nil || r.LastSQLError != nil || r.SourcePort != next.port {
		t.Errorf("the former primary's replication: %+v", r)
	}
	facts = Analyze([]*InstanceReport{next.report(t), oldRep})
	if inst := facts.Instances[0]; inst.Role != RoleReplica || inst.Source != "replica-1" || inst.Errant != want.String() {
		t.Errorf("the former primary as a replica: %+v, want errant %s", inst, want)
	}
	sums, err := ChecksumTables(ctx, next.conn, old.conn)
	if err != nil {
		t.Fatal(err)
	}
	if m := sums.Mismatched(); len(m) != 1 || m[0] != "app.t" {
		t.Errorf("mismatched %v: the never-sent rows should stay on the former primary only", m)
	}
}

// errantByPodFiles asks s what it holds that source lacks, as the
// sidecar's errant_on does: s's stmt-own-gtid.sql first, then source's
// stmt-executed-gtid.sql, then stmt-errant-gtid.sql filled with both, on s,
// through the client's batch output, which writes a set's newlines as \n
// (dropped, as the script drops them). It returns the errant set and
// source's set as printed.
func errantByPodFiles(t *testing.T, k *podKit, s, source *mysqlServer) (errant, printed string) {
	t.Helper()
	own := strings.TrimRight(s.mustClient(t, adminLogin, k.fill(t, FileOwnGTID), "--skip-column-names"), "\n")
	printed = strings.TrimRight(source.mustClient(t, adminLogin, k.fill(t, FileExecutedGTID), "--skip-column-names"), "\n")
	out := s.mustClient(t, adminLogin, k.fill(t, FileErrantGTID, "own_gtid="+strings.ReplaceAll(own, `\n`, ""),
		"source_gtid="+strings.ReplaceAll(printed, `\n`, "")), "--skip-column-names")
	return strings.ReplaceAll(strings.TrimRight(out, "\n"), `\n`, ""), printed
}
