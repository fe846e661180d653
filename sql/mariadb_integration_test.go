package sql

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestMariaDBHealthyReplication(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	reports := tr.reports(t)
	facts := Analyze(reports)
	if facts.Primary != "primary" || len(facts.Problems) != 0 {
		t.Fatalf("primary %q, problems %q", facts.Primary, facts.Problems)
	}
	for i, want := range []struct {
		id   uint32
		role Role
	}{{1, RolePrimary}, {2, RoleReplica}, {3, RoleReplica}} {
		rep, inst := reports[i], facts.Instances[i]
		if rep.Flavour != MariaDB || rep.ServerID != want.id || inst.Role != want.role {
			t.Errorf("%s: flavour %s id %d role %s, want id %d role %s", rep.Name, rep.Flavour, rep.ServerID, inst.Role, want.id, want.role)
		}
		if rep.SuperReadOnly != nil {
			t.Errorf("%s: super_read_only reported on MariaDB", rep.Name)
		}
		if rep.ReadOnly != (want.role == RoleReplica) {
			t.Errorf("%s: read_only = %v", rep.Name, rep.ReadOnly)
		}
		if inst.Errant != "" || (inst.BehindTransactions != nil && *inst.BehindTransactions != 0) {
			t.Errorf("%s: errant %q behind %v after catch-up", rep.Name, inst.Errant, inst.BehindTransactions)
		}
	}
	for _, rep := range reports[1:] {
		r := rep.Replica
		if r == nil || !r.Replicating() || r.SecondsBehind == nil || r.SourcePort != tr.primary.port ||
			r.UsingGTID != "Slave_Pos" || !r.AutoPosition || r.SourceUser != "repl" {
			t.Errorf("%s replica status: %+v", rep.Name, r)
		}
	}
	if reports[0].Replica != nil || reports[0].Binlog == nil {
		t.Errorf("primary: replica %+v binlog %+v", reports[0].Replica, reports[0].Binlog)
	}
}

// The statements the pods run, rendered and filled as the scripts fill
// them, do what the scripts rely on: the accounts exist with their grants
// (on the replicas as their clone carries them: the accounts file writes no
// binary log to replicate), the replicas follow the primary by GTID with
// a 10 s connect retry, and a fresh root session is refused on a replica
// with error 1290 while the primary still takes its writes.
func TestMariaDBPodStatements(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	ctx := testContext(t)
	grants := map[string]string{
		"SHOW GRANTS FOR 'repl'@'%'":     "GRANT REPLICATION SLAVE ON *.* TO `repl`@`%`",
		"SHOW GRANTS FOR 'mysqlctl'@'%'": "GRANT ALL PRIVILEGES ON *.* TO `mysqlctl`@`%`",
	}
	for _, s := range []*mariadbServer{tr.primary, tr.replica1, tr.replica2} {
		admin := s.open(t, adminLogin)
		s.open(t, replLogin)
		for query, want := range grants {
			rows, err := admin.query(ctx, query)
			if err != nil || len(rows) != 1 {
				t.Fatalf("%s: %s: %d rows, %v", s.name, query, len(rows), err)
			}
			if got := fmt.Sprintf("%s", rows[0].values[0]); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s = %q, want %s...", s.name, query, got, want)
			}
		}
	}
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		rows, err := r.conn.query(ctx, r.conn.Adapter().ReplicaStatusQuery())
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s: replica status: %d rows, %v", r.name, len(rows), err)
		}
		f := &fields{r: rows[0]}
		got := []string{f.str("Using_Gtid"), f.str("Connect_Retry"), f.str("Master_User"), f.str("Slave_IO_Running"), f.str("Slave_SQL_Running")}
		if want := []string{"Slave_Pos", "10", "repl", "Yes", "Yes"}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: Using_Gtid, Connect_Retry, Master_User, IO, SQL = %q, want %q", r.name, got, want)
		}
		err = r.open(t, rootLogin).Exec(ctx, Statement{SQL: "INSERT INTO app.t VALUES (50, 'root on a replica')"})
		var myErr *mysql.MySQLError
		if !errors.As(err, &myErr) || myErr.Number != 1290 {
			t.Errorf("%s: root's write on a replica: %v, want error 1290", r.name, err)
		}
	}
	execAs(t, tr.primary.open(t, rootLogin), "INSERT INTO app.t VALUES (51, 'root on the primary')")
}

func TestMariaDBBinlogAndCatchUp(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	before := tr.primary.report(t).Binlog
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	after := tr.primary.report(t)
	if after.Binlog.File != before.File || after.Binlog.Position <= before.Position {
		t.Errorf("binlog did not advance: %+v -> %+v", before, after.Binlog)
	}
	ctx := testContext(t)
	for _, r := range []*mariadbServer{tr.replica1, tr.replica2} {
		if err := r.conn.WaitForGTID(ctx, after.GTID.BinlogPos, 10*time.Second); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if err := r.conn.WaitForPosition(ctx, after.Binlog.File, after.Binlog.Position, 10*time.Second); err != nil {
			t.Errorf("%s position wait: %v", r.name, err)
		}
		if got := r.report(t).GTID.CurrentPos; got != after.GTID.BinlogPos {
			t.Errorf("%s gtid_current_pos %q, primary %q", r.name, got, after.GTID.BinlogPos)
		}
	}
	assertAppChecksumsMatch(t, ctx, tr.primary.conn, tr.replica1.conn, tr.replica2.conn)
}

func TestMariaDBStoppedSQLThread(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	ctx := testContext(t)
	r2 := tr.replica2
	r2.exec(t, "STOP SLAVE SQL_THREAD")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (4, 'four')")
	pos := tr.primary.report(t).GTID.BinlogPos
	eventually(t, "replica-2 receives "+pos, func() bool { return r2.report(t).Replica.GTIDIOPos == pos })
	rep := r2.report(t).Replica
	if rep.SQLThread.Running() || !rep.IOThread.Running() || rep.SecondsBehind != nil {
		t.Errorf("stopped applier: IO %s SQL %s lag %v", rep.IOThread, rep.SQLThread, rep.SecondsBehind)
	}
	facts := Analyze(tr.reports(t))
	if b := facts.Instances[2].BehindTransactions; b == nil || *b != 1 {
		t.Errorf("replica-2 behind %v, want 1", b)
	}
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-2: replication stopped") {
		t.Errorf("problems %q", facts.Problems)
	}
	if err := r2.conn.WaitForGTID(ctx, pos, 300*time.Millisecond); !errors.Is(err, ErrWaitTimeout) {
		t.Errorf("wait on a stopped applier: %v, want ErrWaitTimeout", err)
	}
	tr.pod.mustRun(t, r2, adminLogin, tr.pod.fill(t, FileStartReplica))
	if err := r2.conn.WaitForGTID(ctx, pos, 10*time.Second); err != nil {
		t.Errorf("after restart: %v", err)
	}
}

func TestMariaDBWrongSource(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	// Repointed from where it stands, it applies nothing twice: a write
	// on the primary reaches it through replica-1 without an error.
	tr.pod.pointHere(t, tr.replica2, tr.replica1, adminLogin)
	tr.primary.exec(t, "INSERT INTO app.t VALUES (3, 'three')")
	tr.catchUp(t)
	eventually(t, "replica-2 replicates from replica-1", func() bool {
		r := tr.replica2.report(t).Replica
		return r.Replicating() && r.SourcePort == tr.replica1.port
	})
	facts := Analyze(tr.reports(t))
	r2 := facts.Instances[2]
	if !r2.WrongSource || r2.Source != "replica-1" || facts.Instances[1].WrongSource {
		t.Errorf("facts %+v", facts.Instances)
	}
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-2 replicates from replica-1, not from the primary primary") {
		t.Errorf("problems %q", facts.Problems)
	}
	// Forgetting the source leaves a read-only server that is no replica.
	a := tr.replica2.conn.Adapter()
	if err := tr.replica2.conn.Exec(testContext(t), a.StopReplica(), a.ResetReplica()); err != nil {
		t.Fatal(err)
	}
	if rep := tr.replica2.report(t); rep.Replica != nil || Analyze([]*InstanceReport{rep}).Instances[0].Role != RoleNone {
		t.Errorf("after reset: %+v", rep.Replica)
	}
}

func TestMariaDBBrokenReplication(t *testing.T) {
	t.Parallel()
	tr := startTrio(t)
	r1 := tr.replica1
	// Without binary logging, so the conflict is the duplicate key and not
	// gtid_strict_mode's out-of-order GTID (error 1950), which a binlogged
	// write on the replica would raise first.
	execAs(t, r1.open(t, adminLogin), "SET STATEMENT sql_log_bin = 0 FOR INSERT INTO app.t VALUES (7, 'replica first')")
	tr.primary.exec(t, "INSERT INTO app.t VALUES (7, 'primary second')")
	eventually(t, "replica-1's applier stops", func() bool { return !r1.report(t).Replica.SQLThread.Running() })
	rep := r1.report(t).Replica
	if rep.LastSQLError == nil || rep.LastSQLError.Errno != 1062 || !strings.Contains(rep.LastSQLError.Message, "Duplicate entry '7'") {
		t.Fatalf("last SQL error %+v, want 1062 Duplicate entry", rep.LastSQLError)
	}
	if rep.SecondsBehind != nil {
		t.Errorf("lag %d on a broken replica, want nil", *rep.SecondsBehind)
	}
	facts := Analyze(tr.reports(t))
	if !strings.Contains(strings.Join(facts.Problems, "\n"), "replica-1: replication stopped (IO thread Yes, SQL thread No); error 1062") {
		t.Errorf("problems %q", facts.Problems)
	}
}

// Passwords with quotes and backslashes are quoted correctly by sql_fill
// (the accounts work), and a failed login's error names the server but not
// the password.
func TestMariaDBPasswords(t *testing.T) {
	t.Parallel()
	s := startMariaDB(t, "mysql-0", 1)
	newPodKit(t).createAccounts(t, s)
	ctx := testContext(t)
	s.open(t, adminLogin)
	dials := 0
	tgt := s.target("repl", replPassword)
	base := tgt.Addr
	tgt.Dial = func(ctx context.Context, addr string) (net.Conn, error) {
		dials++
		return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	c, err := Open(ctx, tgt)
	if err != nil {
		t.Fatalf("login with the quoted password: %v", err)
	}
	c.Close()
	if dials == 0 {
		t.Errorf("custom dialer to %s not used", base)
	}
	for _, wrong := range []Target{s.target("repl", `wr0ng'pa"ss\word`), s.target("root", "hunter2-secret")} {
		_, err := Open(ctx, wrong)
		var myErr *mysql.MySQLError
		if err == nil || !errors.As(err, &myErr) || myErr.Number != 1045 {
			t.Fatalf("wrong password for %s: %v, want error 1045", wrong.User, err)
		}
		if strings.Contains(err.Error(), wrong.Password) || !strings.Contains(err.Error(), "mysql-0") {
			t.Errorf("error %q: want the server's name and not the password", err)
		}
	}
}
