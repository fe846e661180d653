package sql

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Positions and waits on real MySQL 9.7.4 replicas: the binary log moves
// on with each transaction, WAIT_FOR_EXECUTED_GTID_SET and SOURCE_POS_WAIT
// return once the replicas applied it, and the tables then checksum the
// same everywhere.
func TestMySQLBinlogAndCatchUp(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	ctx := testContext(t)
	before := tr.primary.report(t)
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	after := tr.primary.report(t)
	if after.Binlog.File != before.Binlog.File || after.Binlog.Position <= before.Binlog.Position {
		t.Errorf("binlog did not advance: %+v -> %+v", before.Binlog, after.Binlog)
	}
	if n := mustGTIDSet(t, after.GTID.Executed).Subtract(mustGTIDSet(t, before.GTID.Executed)).Count(); n != 1 {
		t.Errorf("gtid_executed %q -> %q: %d new transactions, want 1", before.GTID.Executed, after.GTID.Executed, n)
	}
	if err := tr.primary.conn.WaitForGTID(ctx, after.GTID.Executed, time.Second); err != nil {
		t.Errorf("the primary waits for its own transactions: %v", err)
	}
	for _, r := range []*mysqlServer{tr.replica1, tr.replica2} {
		if err := r.conn.WaitForGTID(ctx, after.GTID.Executed, 10*time.Second); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if err := r.conn.WaitForPosition(ctx, after.Binlog.File, after.Binlog.Position, 10*time.Second); err != nil {
			t.Errorf("%s position wait: %v", r.name, err)
		}
		if got := r.report(t).GTID.Executed; got != after.GTID.Executed {
			t.Errorf("%s gtid_executed %q, primary %q", r.name, got, after.GTID.Executed)
		}
	}
	// Exec_Source_Log_Pos moves at the multi-threaded applier's checkpoints
	// (replica_checkpoint_period, 300 ms), not at each commit: a replica
	// that executed everything can show bytes behind for that long.
	eventually(t, "no replica is bytes behind", func() bool {
		facts := Analyze(tr.reports(t))
		for _, inst := range facts.Instances[1:] {
			if inst.BehindBytes == nil || *inst.BehindBytes != 0 {
				return false
			}
		}
		return true
	})
	assertAppChecksumsMatch(t, ctx, tr.primary.conn, tr.replica1.conn, tr.replica2.conn)
}

// A replica whose applier stopped still receives: it is one transaction
// behind, the GTID wait times out, the position wait cannot wait, and the
// pod's start file resumes it.
func TestMySQLStoppedApplier(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	ctx := testContext(t)
	r2 := tr.replica2
	r2.exec(t, "STOP REPLICA SQL_THREAD")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (4, 'four')")
	primary := tr.primary.report(t)
	eventually(t, "replica-2 receives "+primary.GTID.Executed, func() bool {
		return mustGTIDSet(t, r2.report(t).Replica.RetrievedGTIDSet).Contains(mustGTIDSet(t, primary.GTID.Executed))
	})
	rep := r2.report(t).Replica
	if rep.SQLThread.Running() || !rep.IOThread.Running() || rep.SecondsBehind != nil || rep.LastSQLError != nil {
		t.Errorf("stopped applier: IO %s SQL %s lag %v error %+v", rep.IOThread, rep.SQLThread, rep.SecondsBehind, rep.LastSQLError)
	}
	facts := Analyze(tr.reports(t))
	if b := facts.Instances[2].BehindTransactions; b == nil || *b != 1 {
		t.Errorf("replica-2 behind %v, want 1", b)
	}
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-2: replication stopped (IO thread Yes, SQL thread No)") {
		t.Errorf("problems %q", facts.Problems)
	}
	if err := r2.conn.WaitForGTID(ctx, primary.GTID.Executed, 300*time.Millisecond); !errors.Is(err, ErrWaitTimeout) {
		t.Errorf("GTID wait on a stopped applier: %v, want ErrWaitTimeout", err)
	}
	if err := r2.conn.WaitForPosition(ctx, primary.Binlog.File, primary.Binlog.Position, time.Second); !errors.Is(err, ErrCannotWait) {
		t.Errorf("position wait on a stopped applier: %v, want ErrCannotWait", err)
	}
	r2.mustClient(t, adminLogin, tr.pod.fill(t, FileStartReplica))
	if err := r2.conn.WaitForGTID(ctx, primary.GTID.Executed, 10*time.Second); err != nil {
		t.Errorf("after the start file: %v", err)
	}
}

// A row written on a replica (outside the binary log, so no errant GTID)
// breaks its applier on the primary's row of the same key: the report
// carries MySQL's error 1062 with its time, and the analysis says so.
func TestMySQLBrokenReplication(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	r1 := tr.replica1
	r1.writeOnReplica(t, "SET SESSION sql_log_bin = 0", "INSERT INTO app.t VALUES (7, 'replica first')")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (7, 'primary second')")
	eventually(t, "replica-1's applier stops", func() bool { return !r1.report(t).Replica.SQLThread.Running() })
	rep := r1.report(t).Replica
	if e := rep.LastSQLError; e == nil || e.Errno != 1062 || e.Time == "" {
		t.Fatalf("last SQL error %+v, want 1062 with its time", e)
	}
	// The multi-threaded applier (4 workers by default) reports the
	// coordinator's "Worker 1 failed executing transaction ..." in SHOW
	// REPLICA STATUS; the failed row is named only in the worker's table.
	rows, err := r1.conn.query(testContext(t), "SELECT LAST_ERROR_NUMBER AS n, LAST_ERROR_MESSAGE AS m "+
		"FROM performance_schema.replication_applier_status_by_worker WHERE LAST_ERROR_NUMBER <> 0")
	if err != nil || len(rows) != 1 {
		t.Fatalf("failed workers: %d rows, %v", len(rows), err)
	}
	if f := (&fields{r: rows[0]}); f.uint("n") != 1062 || !strings.Contains(f.str("m"), "Duplicate entry '7'") {
		t.Errorf("failed worker: error %d %q, want 1062 Duplicate entry '7'", f.uint("n"), f.str("m"))
	}
	if rep.SecondsBehind != nil {
		t.Errorf("lag %d on a broken replica, want nil", *rep.SecondsBehind)
	}
	facts := Analyze(tr.reports(t))
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-1: replication stopped (IO thread Yes, SQL thread No); error 1062") {
		t.Errorf("problems %q", facts.Problems)
	}
	if facts.Instances[1].Errant != "" {
		t.Errorf("replica-1 errant %q: the row was written outside the binary log", facts.Instances[1].Errant)
	}
}
