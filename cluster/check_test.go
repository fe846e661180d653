package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/mysqlctl/mysqlctl/sql"
)

// expect is one check's verdict and words its detail must contain.
type expect struct {
	verdict Verdict
	detail  []string
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		objs   func() []runtime.Object
		modify func(servers map[string]*fakeServer)
		opts   CheckOptions
		want   map[string]expect // checks not listed must pass
	}{{
		name: "healthy",
	}, {
		name: "replication stopped on mysql-2",
		objs: func() []runtime.Object { return clusterObjects(3, 0, 1) },
		modify: func(s map[string]*fakeServer) {
			rep := s["mysql-2"].reports[0].Replica
			rep.IOThread, rep.SQLThread, rep.SecondsBehind = "No", "No", nil
		},
		want: map[string]expect{
			CheckPodsReady:          {Fail, []string{"mysql-2 is not ready (starting)"}},
			CheckReplicationRunning: {Fail, []string{"mysql-2: IO thread not running (No), SQL thread not running (No)"}},
			CheckReplicationLag:     {Warn, []string{"mysql-2: lag unknown"}},
		},
	}, {
		name: "errant transaction on mysql-1",
		modify: func(s map[string]*fakeServer) {
			s["mysql-1"].reports[0].GTID.CurrentPos = "0-101-43"
		},
		want: map[string]expect{CheckNoErrantTransactions: {Fail, []string{"mysql-1 has errant transactions", "0-101-43"}}},
	}, {
		name: "lag over the limit, delayed on purpose",
		opts: CheckOptions{MaxLag: 5 * time.Second},
		modify: func(s map[string]*fakeServer) {
			rep := s["mysql-1"].reports[0].Replica
			rep.SecondsBehind, rep.SQLDelay = ptr.To(int64(25)), 30
		},
		want: map[string]expect{CheckReplicationLag: {Fail, []string{"mysql-1 is 25s behind (max 5s), delayed on purpose by 30s"}}},
	}, {
		name: "replica of a replica",
		modify: func(s map[string]*fakeServer) {
			s["mysql-2"].reports[0].Replica.SourceHost = "mysql-1.mysql"
		},
		want: map[string]expect{
			CheckReplicasFollowPrimary: {Fail, []string{"mysql-2 replicates from mysql-1 (mysql-1.mysql:3306), not from the primary mysql-0"}},
			// Its Seconds_Behind is its distance from mysql-1, not from the primary.
			CheckReplicationLag: {Warn, []string{"mysql-2: lag unknown (it replicates from mysql-1, not from the primary mysql-0)"}},
		},
	}, {
		name: "replica of a stopped replica, behind the primary",
		modify: func(s map[string]*fakeServer) {
			s["mysql-2"].reports[0].Replica.SourceHost = "mysql-1.mysql"
			s["mysql-2"].reports[0].GTID.CurrentPos = "0-100-40"
			s["mysql-1"].reports[0].GTID.CurrentPos = "0-100-40"
			rep := s["mysql-1"].reports[0].Replica
			rep.IOThread, rep.SQLThread, rep.SecondsBehind = "No", "No", nil
		},
		want: map[string]expect{
			CheckReplicationRunning:    {Fail, []string{"mysql-1: IO thread not running"}},
			CheckReplicasFollowPrimary: {Fail, []string{"mysql-2 replicates from mysql-1"}},
			CheckReplicationLag: {Warn, []string{"mysql-1: lag unknown (replication not running)",
				"mysql-2: lag unknown (it replicates from mysql-1, not from the primary mysql-0, and is 2 transaction(s) behind the primary)"}},
		},
	}, {
		name: "duplicate server id and writable replica",
		modify: func(s map[string]*fakeServer) {
			s["mysql-2"].reports[0].ServerID = 101
			s["mysql-1"].reports[0].ReadOnly = false
		},
		want: map[string]expect{
			CheckServerIDsUnique:  {Fail, []string{"server id 101 is used by mysql-1, mysql-2"}},
			CheckReplicasReadOnly: {Fail, []string{"mysql-1 is writable (read_only OFF)"}},
		},
	}, {
		name: "replication error, thread stopped",
		modify: func(s map[string]*fakeServer) {
			rep := s["mysql-1"].reports[0].Replica
			rep.SQLThread, rep.SecondsBehind = "No", nil
			rep.LastSQLError = &sql.ThreadError{Errno: 1062, Message: "Duplicate entry '7'\nfor key 'PRIMARY'"}
		},
		want: map[string]expect{
			CheckReplicationRunning:  {Fail, []string{"mysql-1: SQL thread not running (No)"}},
			CheckReplicationLag:      {Warn, []string{"mysql-1: lag unknown"}},
			CheckNoReplicationErrors: {Fail, []string{"mysql-1: SQL error 1062: Duplicate entry '7' for key 'PRIMARY'"}},
		},
	}, {
		name: "MySQL's receiver refused: the source purged the binary logs (error 13114)",
		modify: func(s map[string]*fakeServer) {
			rep := s["mysql-2"].reports[0].Replica
			rep.IOThread, rep.SecondsBehind = "No", nil
			// As MySQL 9.7.4 reported it on the local cluster.
			rep.LastIOError = &sql.ThreadError{Errno: 13114, Message: "Got fatal error 1236 from source when reading data from binary log: 'Cannot replicate because the source purged required binary logs. Replicate the missing transactions from elsewhere, or provision a new replica from backup.'"}
		},
		want: map[string]expect{
			CheckReplicationRunning:  {Fail, []string{"mysql-2: IO thread not running (No)"}},
			CheckReplicationLag:      {Warn, []string{"mysql-2: lag unknown"}},
			CheckNoReplicationErrors: {Fail, []string{"mysql-2: IO error 13114: Got fatal error 1236", "its source no longer has the binary logs it needs: mysqlctl reclone mysql-2"}},
		},
	}, {
		name: "writable server is not the recorded primary",
		modify: func(s map[string]*fakeServer) {
			s["mysql-0"].reports[0].ReadOnly = true
			s["mysql-1"].reports[0].ReadOnly = false
			s["mysql-1"].reports[0].Replica = nil
		},
		want: map[string]expect{
			CheckSinglePrimary:         {Fail, []string{"the writable server is mysql-1, but the cluster's record (and the write Service) name mysql-0"}},
			CheckReplicationRunning:    {Fail, []string{"mysql-0 does not replicate"}},
			CheckReplicasFollowPrimary: {Fail, []string{"mysql-2 replicates from mysql-0 (mysql-0.mysql:3306), not from the primary mysql-1"}},
			CheckReplicationLag:        {Warn, []string{"mysql-0: lag unknown"}},
		},
	}, {
		name: "split brain",
		modify: func(s map[string]*fakeServer) {
			s["mysql-2"].reports[0].ReadOnly = false
			s["mysql-2"].reports[0].Replica = nil
		},
		want: map[string]expect{
			CheckSinglePrimary:         {Fail, []string{"several writable servers replicate from nobody (split brain): mysql-0, mysql-2"}},
			CheckReplicasReadOnly:      {Fail, []string{"mysql-2 is writable"}},
			CheckReplicationRunning:    {Fail, []string{"mysql-2 does not replicate"}},
			CheckReplicasFollowPrimary: {Warn, []string{"no primary"}},
			CheckReplicationLag:        {Warn, []string{"mysql-2: lag unknown"}},
			CheckNoErrantTransactions:  {Warn, []string{"no primary"}},
		},
	}, {
		name: "mysql-2 unreachable, config map missing",
		objs: func() []runtime.Object {
			var out []runtime.Object
			for _, o := range clusterObjects(3) {
				if cm, ok := o.(*corev1.ConfigMap); !ok || cm.Name != "mysql-config" {
					out = append(out, o)
				}
			}
			return out
		},
		modify: func(s map[string]*fakeServer) {
			s["mysql-2"].openErr = errors.New("connect to mysql-2: connection refused")
		},
		want: map[string]expect{
			CheckObjectsPresent:        {Fail, []string{"ConfigMap mysql-config is missing"}},
			CheckMembersReachable:      {Fail, []string{"mysql-2: connect to mysql-2: connection refused"}},
			CheckSinglePrimary:         {Warn, []string{"mysql-2 not inspected (unreachable)"}},
			CheckServerIDsUnique:       {Warn, []string{"mysql-2 not inspected"}},
			CheckReplicasReadOnly:      {Warn, []string{"mysql-2 not inspected"}},
			CheckReplicationRunning:    {Warn, []string{"mysql-2 not inspected"}},
			CheckReplicasFollowPrimary: {Warn, []string{"mysql-2 not inspected"}},
			CheckReplicationLag:        {Warn, []string{"mysql-2 not inspected"}},
			CheckNoErrantTransactions:  {Warn, []string{"mysql-2 not inspected"}},
			CheckNoReplicationErrors:   {Warn, []string{"mysql-2 not inspected"}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := clusterObjects(3)
			if tt.objs != nil {
				objs = tt.objs()
			}
			servers := healthyServers(3)
			if tt.modify != nil {
				tt.modify(servers)
			}
			opts := tt.opts
			if opts.MaxLag == 0 {
				opts.MaxLag = DefaultMaxLag
			}
			report, err := newTestCluster(t, objs, servers).Check(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			assertChecks(t, report, tt.want)
		})
	}
}

func assertChecks(t *testing.T, report *CheckReport, want map[string]expect) {
	t.Helper()
	wantVerdict := Pass
	seen := map[string]bool{}
	for _, c := range report.Checks {
		seen[c.Name] = true
		e, listed := want[c.Name]
		if !listed {
			e = expect{verdict: Pass}
		}
		if c.Verdict != e.verdict {
			t.Errorf("%s: %s (%s), want %s", c.Name, c.Verdict, c.Detail, e.verdict)
		}
		for _, w := range e.detail {
			if !strings.Contains(c.Detail, w) {
				t.Errorf("%s detail %q lacks %q", c.Name, c.Detail, w)
			}
		}
		if e.verdict == Fail || (e.verdict == Warn && wantVerdict == Pass) {
			wantVerdict = e.verdict
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("check %s was not run", name)
		}
	}
	if report.Verdict != wantVerdict {
		t.Errorf("overall verdict %s, want %s", report.Verdict, wantVerdict)
	}
}

func TestCheckHealthyDetails(t *testing.T) {
	report, err := newTestCluster(t, clusterObjects(3), healthyServers(3)).Check(context.Background(), CheckOptions{MaxLag: DefaultMaxLag})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range report.Checks {
		got[c.Name] = c.Detail
	}
	for name, want := range map[string]string{
		CheckObjectsPresent:        "all 8 objects of cluster mysql exist",
		CheckPodsReady:             "3/3 pods ready",
		CheckSinglePrimary:         "mysql-0 is the only writable server and replicates from nobody",
		CheckServerIDsUnique:       "server ids 100, 101, 102 are unique",
		CheckReplicasReadOnly:      "mysql-1, mysql-2 read-only",
		CheckReplicationRunning:    "IO and SQL threads run on mysql-1, mysql-2",
		CheckReplicasFollowPrimary: "mysql-1, mysql-2 replicate from mysql-0",
		CheckReplicationLag:        "worst lag 0s (mysql-1), max 10s",
	} {
		if got[name] != want {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
}

func TestCheckChecksums(t *testing.T) {
	sum := func(v uint64) *uint64 { return &v }
	tests := []struct {
		name    string
		modify  func(map[string]*fakeServer)
		tables  []sql.TableChecksum
		want    Verdict
		details []string
	}{{
		name:    "match",
		tables:  []sql.TableChecksum{{Table: "app.t", Checksums: map[string]*uint64{"mysql-0": sum(7), "mysql-1": sum(7), "mysql-2": sum(7)}}},
		want:    Pass,
		details: []string{"1 user tables match on mysql-0, mysql-1, mysql-2"},
	}, {
		name: "mysql-1 differs, mysql-2 lacks a table",
		tables: []sql.TableChecksum{
			{Table: "app.t", Checksums: map[string]*uint64{"mysql-0": sum(7), "mysql-1": sum(8), "mysql-2": sum(7)}},
			{Table: "app.u", Checksums: map[string]*uint64{"mysql-0": sum(1), "mysql-1": sum(1), "mysql-2": nil}},
		},
		want:    Fail,
		details: []string{"app.t differs on mysql-1 from the primary mysql-0", "app.u is missing on mysql-2"},
	}, {
		name: "a replica that cannot catch up is left out",
		modify: func(s map[string]*fakeServer) {
			s["mysql-2"].waitErr = errors.New("mysql-2: replica did not catch up before the deadline")
		},
		tables:  []sql.TableChecksum{{Table: "app.t", Checksums: map[string]*uint64{"mysql-0": sum(7), "mysql-1": sum(7)}}},
		want:    Warn,
		details: []string{"mysql-2 not compared: mysql-2: replica did not catch up"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			servers := healthyServers(3)
			if tt.modify != nil {
				tt.modify(servers)
			}
			c := newTestCluster(t, clusterObjects(3), servers)
			var compared []string
			c.checksum = func(ctx context.Context, ss []Server) (*sql.Checksums, error) {
				for _, s := range ss {
					compared = append(compared, s.Name())
				}
				return &sql.Checksums{Servers: compared, Tables: tt.tables}, nil
			}
			report, err := c.Check(context.Background(), CheckOptions{MaxLag: DefaultMaxLag, Checksum: true})
			if err != nil {
				t.Fatal(err)
			}
			last := report.Checks[len(report.Checks)-1]
			if last.Name != CheckChecksumsMatch || last.Verdict != tt.want {
				t.Fatalf("last check %s %s (%s), want %s %s", last.Name, last.Verdict, last.Detail, CheckChecksumsMatch, tt.want)
			}
			for _, d := range tt.details {
				if !strings.Contains(last.Detail, d) {
					t.Errorf("detail %q lacks %q", last.Detail, d)
				}
			}
		})
	}
}

// Error 1236 names its cause: purged binary logs, or a replica that
// diverged (MariaDB's words for a GTID its new source never had).
func TestWhy1236(t *testing.T) {
	diverged := "Error: connecting slave requested to start from GTID 0-100-5, which is not in the master's binlog. Since the master's binlog contains GTIDs with higher sequence numbers, it probably means that the slave has diverged due to executing extra erroneous transactions"
	if got := why1236(diverged); !strings.Contains(got, "diverged") {
		t.Errorf("why1236(diverged) = %q", got)
	}
	purged := "Could not find GTID state requested by slave in any binlog files. Probably the slave state is too old and required binlog files have been purged."
	if got := why1236(purged); !strings.Contains(got, "no longer has the binary logs") {
		t.Errorf("why1236(purged) = %q", got)
	}
}
