package sql

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mysqlPrimary() *InstanceReport {
	return &InstanceReport{
		Name: "mysql-0", Flavour: MySQL84, ServerID: 1, Hostname: "mysql-0", ReportHost: "mysql-0.mysql", Port: 3306,
		LogBin: true, Binlog: &BinlogStatus{File: "binlog.000003", Position: 5000},
		GTID: GTIDState{Mode: "ON", Executed: uA + ":1-100"},
	}
}

func mysqlReplica(name string, id uint32, source, executed string) *InstanceReport {
	return &InstanceReport{
		Name: name, Flavour: MySQL84, ServerID: id, Hostname: name, Port: 3306, ReadOnly: true, SuperReadOnly: ptr(true),
		GTID: GTIDState{Mode: "ON", Executed: executed},
		Replica: &ReplicaStatus{SourceHost: source, SourcePort: 3306, IOThread: "Yes", SQLThread: "Yes",
			RelaySourceLogFile: "binlog.000003", ExecSourceLogPos: 4000, SecondsBehind: ptr[int64](0)},
	}
}

func TestAnalyzeMySQL(t *testing.T) {
	broken := mysqlReplica("mysql-4", 2, "mysql-0.mysql", uA+":1-90")
	broken.Replica.SQLThread = "No"
	broken.Replica.LastSQLError = &ThreadError{Errno: 1062, Message: "Duplicate entry '7' for key 'PRIMARY'"}
	reports := []*InstanceReport{
		mysqlReplica("mysql-3", 4, "mysql-1.mysql", uA+":1-100"),
		mysqlReplica("mysql-1", 2, "mysql-0.mysql.db.svc.cluster.local", uA+":1-97"),
		nil, // a server that could not be read
		mysqlPrimary(),
		mysqlReplica("mysql-2", 3, "mysql-0", uA+":1-100,"+uB+":1-2"),
		broken,
	}
	want := Facts{
		Primary: "mysql-0",
		Instances: []InstanceFacts{
			{Name: "mysql-0", Role: RolePrimary},
			{Name: "mysql-1", Role: RoleReplica, Source: "mysql-0", BehindTransactions: ptr[uint64](3), BehindBytes: ptr[uint64](1000)},
			{Name: "mysql-2", Role: RoleReplica, Source: "mysql-0", Errant: uB + ":1-2", BehindTransactions: ptr[uint64](0), BehindBytes: ptr[uint64](1000)},
			{Name: "mysql-3", Role: RoleReplica, Source: "mysql-1", WrongSource: true, BehindTransactions: ptr[uint64](0)},
			{Name: "mysql-4", Role: RoleReplica, Source: "mysql-0", BehindTransactions: ptr[uint64](10), BehindBytes: ptr[uint64](1000)},
		},
		DuplicateServerIDs: map[uint32][]string{2: {"mysql-1", "mysql-4"}},
		Problems: []string{
			"mysql-2 has errant transactions the primary mysql-0 does not have: " + uB + ":1-2",
			"mysql-3 replicates from mysql-1, not from the primary mysql-0",
			"mysql-4: replication stopped (IO thread Yes, SQL thread No); error 1062: Duplicate entry '7' for key 'PRIMARY'",
			"server id 2 is used by mysql-1, mysql-4",
		},
	}
	if d := cmp.Diff(want, Analyze(reports)); d != "" {
		t.Errorf("facts (-want +got):\n%s", d)
	}
}

func TestAnalyzeMariaDB(t *testing.T) {
	node := func(name string, id uint32, current string) *InstanceReport {
		return &InstanceReport{
			Name: name, Flavour: MariaDB, ServerID: id, ReportHost: "127.0.0.1", Port: 3300 + int(id), ReadOnly: true,
			GTID: GTIDState{BinlogPos: current, CurrentPos: current},
			Replica: &ReplicaStatus{SourceHost: "127.0.0.1", SourcePort: 3301, IOThread: "Yes", SQLThread: "Yes",
				RelaySourceLogFile: "mysql-bin.000001"},
		}
	}
	primary := node("a-primary", 1, "0-1-50")
	primary.ReadOnly, primary.Replica = false, nil
	primary.Binlog = &BinlogStatus{File: "mysql-bin.000001", Position: 900}
	chained := node("d-chained", 4, "0-1-50")
	chained.Replica.SourcePort = 3302 // follows b-replica, on the same host
	facts := Analyze([]*InstanceReport{
		primary,
		node("b-replica", 2, "0-1-48"),
		node("c-errant", 3, "0-3-51"),
		chained,
		node("e-raced", 5, "0-1-52"), // read after the primary wrote more: not errant
	})
	want := []InstanceFacts{
		{Name: "a-primary", Role: RolePrimary},
		{Name: "b-replica", Role: RoleReplica, Source: "a-primary", BehindTransactions: ptr[uint64](2), BehindBytes: ptr[uint64](900)},
		{Name: "c-errant", Role: RoleReplica, Source: "a-primary", Errant: "0-3-51", BehindTransactions: ptr[uint64](0), BehindBytes: ptr[uint64](900)},
		{Name: "d-chained", Role: RoleReplica, Source: "b-replica", WrongSource: true, BehindTransactions: ptr[uint64](0)},
		{Name: "e-raced", Role: RoleReplica, Source: "a-primary", BehindTransactions: ptr[uint64](0), BehindBytes: ptr[uint64](900)},
	}
	if d := cmp.Diff(want, facts.Instances); d != "" {
		t.Errorf("instances (-want +got):\n%s", d)
	}
	if facts.Primary != "a-primary" || len(facts.Problems) != 2 {
		t.Errorf("primary %q, problems %q", facts.Primary, facts.Problems)
	}
}

func TestAnalyzePrimaryAmbiguity(t *testing.T) {
	a, b := mysqlPrimary(), mysqlPrimary()
	b.Name, b.ServerID = "mysql-1", 2
	split := Analyze([]*InstanceReport{a, b})
	if split.Primary != "" || split.Instances[0].Role != RolePrimary || split.Instances[1].Role != RolePrimary {
		t.Errorf("split brain: primary %q, instances %+v", split.Primary, split.Instances)
	}
	if len(split.Problems) != 1 {
		t.Errorf("split brain problems: %q", split.Problems)
	}

	a.ReadOnly, b.ReadOnly = true, true
	none := Analyze([]*InstanceReport{a, b})
	if none.Primary != "" || none.Instances[0].Role != RoleNone || len(none.Problems) != 1 {
		t.Errorf("no primary: %+v", none)
	}
	// Without a primary a replica cannot be judged wrong or errant.
	r := mysqlReplica("mysql-2", 3, "elsewhere", uA+":1-200")
	facts := Analyze([]*InstanceReport{a, r})
	if facts.Instances[1].WrongSource || facts.Instances[1].Errant != "" {
		t.Errorf("judged without a primary: %+v", facts.Instances[1])
	}
}

func TestAnalyzeWritableReplica(t *testing.T) {
	r := mysqlReplica("mysql-1", 2, "mysql-0", uA+":1-100")
	r.ReadOnly = false
	facts := Analyze([]*InstanceReport{mysqlPrimary(), r})
	want := []string{"mysql-1 is a replica but read_only is off: direct writes there become errant transactions"}
	if facts.Primary != "mysql-0" || facts.Instances[1].Role != RoleReplica {
		t.Errorf("a writable replica changed roles: %+v", facts)
	}
	if d := cmp.Diff(want, facts.Problems); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
}

// GTID sets cannot be compared without GTIDs; the lag is then unknown (nil),
// not 0.
func TestAnalyzeWithoutGTIDs(t *testing.T) {
	p := mysqlPrimary()
	p.GTID = GTIDState{Mode: "OFF"}
	r := mysqlReplica("mysql-1", 2, "mysql-0", "")
	r.GTID = GTIDState{Mode: "OFF"}
	got := Analyze([]*InstanceReport{p, r}).Instances[1]
	if got.BehindTransactions != nil || got.BehindBytes == nil || *got.BehindBytes != 1000 {
		t.Errorf("facts without GTIDs: %+v", got)
	}
}
