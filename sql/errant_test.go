package sql

import "testing"

// errantPair is a primary and one replica of it, reported alike but for
// their GTID state, so Analyze decides only on that.
func errantPair(flavour Flavour, primaryGTID, replicaGTID GTIDState) []*InstanceReport {
	primary := &InstanceReport{
		Name: "mysql-0", Flavour: flavour, ServerID: 100, ReportHost: "mysql-0.mysql", Port: 3306,
		LogBin: true, GTID: primaryGTID,
	}
	replica := &InstanceReport{
		Name: "mysql-1", Flavour: flavour, ServerID: 101, ReportHost: "mysql-1.mysql", Port: 3306,
		ReadOnly: true, LogBin: true, GTID: replicaGTID,
		Replica: &ReplicaStatus{SourceHost: "mysql-0.mysql", SourcePort: 3306, IOThread: "Yes", SQLThread: "Yes"},
	}
	return []*InstanceReport{primary, replica}
}

// errantOf analyzes the pair and returns the replica's errant transactions,
// failing on any problem but the errant one (a parse error, a wrong source).
func errantOf(t *testing.T, reports []*InstanceReport) string {
	t.Helper()
	facts := Analyze(reports)
	if facts.Primary != "mysql-0" || len(facts.Instances) != 2 {
		t.Fatalf("primary %q, instances %+v", facts.Primary, facts.Instances)
	}
	inst := facts.Instances[1]
	wantProblems := 0
	if inst.Errant != "" {
		wantProblems = 1
	}
	if len(facts.Problems) != wantProblems {
		t.Errorf("problems %q", facts.Problems)
	}
	return inst.Errant
}

// MariaDB: the primary is server 100, the replica server 101. A replica's
// binary log state lists the last GTID of every server id it logged
// (log_slave_updates logs the replicated ones too); its gtid_current_pos
// only the last GTID per domain.
func TestErrantMariaDB(t *testing.T) {
	cases := []struct {
		name                         string
		replicaState, replicaCurrent string
		primaryState, primaryPos     string
		want                         string
	}{
		{"in step", "0-100-9", "0-100-9", "0-100-9", "0-100-9", ""},
		{"behind", "0-100-7", "0-100-7", "0-100-9", "0-100-9", ""},
		{"behind, an earlier primary's GTIDs too", "0-99-4,0-100-7", "0-100-7", "0-99-4,0-100-9", "0-100-9", ""},
		// Read after the primary wrote more: its own GTIDs, not errant.
		{"primary ahead with its own id", "0-100-11", "0-100-11", "0-100-9", "0-100-9", ""},
		{"write on the replica, last in its domain", "0-100-9,0-101-10", "0-101-10", "0-100-9", "0-100-9", "0-101-10"},
		// The primary logged server 101 up to 0-101-3; the replica holds
		// 0-101-5 besides (its position shows only 0-100-9).
		{"buried under later replication, a server the primary logged", "0-101-5,0-100-9", "0-100-9", "0-101-3,0-100-9", "0-100-9", "0-101-5"},
		// A server id the primary never logged, at a sequence it passed: a
		// clone's gap (the primary was cloned after that server's last
		// write), or a write buried without gtid_strict_mode, which the
		// pods' cnf turns on (TestMariaDBBuriedWriteStopsReplication).
		{"an earlier primary the primary's clone never logged", "0-99-5,0-100-9", "0-100-9", "0-100-9", "0-100-9", ""},
		// A former primary: the current one replicated its writes.
		{"own writes the primary has", "0-101-5,0-100-9", "0-100-9", "0-101-5,0-100-9", "0-100-9", ""},
		{"another server's later write the primary lacks", "0-102-6,0-100-9", "0-100-9", "0-102-5,0-100-9", "0-100-9", "0-102-6"},
		{"multiple domains in step", "0-100-9,1-102-4", "0-100-9,1-102-4", "0-100-9,1-102-4", "0-100-9,1-102-4", ""},
		{"multiple domains, errant in two", "0-100-9,1-100-5,1-101-7,2-101-1", "0-100-9,1-101-7,2-101-1",
			"0-100-9,1-100-5", "0-100-9,1-100-5", "1-101-7,2-101-1"},
		// Reports without a state (a server without a binary log) compare
		// their positions per server id: only the last write shows.
		{"no state: write on the replica", "", "0-101-10", "", "0-100-9", "0-101-10"},
		{"no state: buried write unseen", "", "0-100-9", "", "0-100-9", ""},
		// A primary that was a clone and has written nothing since it took
		// over: its binary log lacks what the backup carried, its
		// gtid_current_pos (the primaryCurrent column) has it.
		{"a cloned primary that has written nothing yet", "0-99-5", "0-99-5", "", "", ""},
	}
	current := map[string]string{"a cloned primary that has written nothing yet": "0-99-5"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			primaryCurrent := tc.primaryPos
			if c, ok := current[tc.name]; ok {
				primaryCurrent = c
			}
			reports := errantPair(MariaDB,
				GTIDState{BinlogState: tc.primaryState, BinlogPos: tc.primaryPos, CurrentPos: primaryCurrent},
				GTIDState{BinlogState: tc.replicaState, CurrentPos: tc.replicaCurrent})
			if got := errantOf(t, reports); got != tc.want {
				t.Errorf("errant = %q, want %q", got, tc.want)
			}
		})
	}
}

// MySQL compares whole gtid_executed sets, so a replica's write stays in
// its set whatever it replicates later.
func TestErrantMySQL(t *testing.T) {
	cases := []struct{ name, replica, primary, want string }{
		{"in step", uA + ":1-20", uA + ":1-20", ""},
		{"behind", uA + ":1-15", uA + ":1-20", ""},
		{"write on the replica", uA + ":1-20," + uB + ":1", uA + ":1-20", uB + ":1"},
		// The replica wrote uB:1 at uA:5, then replicated uA:6-20.
		{"buried under later replication", uA + ":1-20," + uB + ":1", uA + ":1-20", uB + ":1"},
		{"a gap the primary never had", uA + ":1-20:25", uA + ":1-20", uA + ":25"},
		// Unlike MariaDB's check, read-after-primary transactions look
		// errant here: cluster's status reads the primary again first.
		{"primary ahead with its own id", uA + ":1-22", uA + ":1-20", uA + ":21-22"},
		{"multiple sources in step", uA + ":1-20," + uB + ":1-3", uA + ":1-20," + uB + ":1-3", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reports := errantPair(MySQL84,
				GTIDState{Mode: "ON", Executed: tc.primary},
				GTIDState{Mode: "ON", Executed: tc.replica})
			if got := errantOf(t, reports); got != tc.want {
				t.Errorf("errant = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseMariaDBGTIDState(t *testing.T) {
	cases := map[string]string{
		"":                      "",
		"0-100-9":               "0-100-9",
		"0-101-5,0-100-9":       "0-100-9,0-101-5", // sorted by domain, then server id
		"1-100-2,\n 0-101-5":    "0-101-5,1-100-2",
		"0-100-9,1-100-3,0-2-1": "0-2-1,0-100-9,1-100-3",
	}
	for in, want := range cases {
		st, err := ParseMariaDBGTIDState(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
		} else if got := st.String(); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"0-1", "0-1-5,0-1-6", "a-1-1"} {
		if _, err := ParseMariaDBGTIDState(bad); err == nil {
			t.Errorf("ParseMariaDBGTIDState(%q) accepted", bad)
		}
	}
}
