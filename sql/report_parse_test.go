package sql

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func mustAdapter(t *testing.T, version string) Adapter {
	t.Helper()
	a, err := NewAdapter(ServerInfo{Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const dupKey57 = "Could not execute Write_rows event on table app.t; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-0-bin.000002, end_log_pos 8800"
const dupKey11 = "Could not execute Write_rows_v1 event on table app.t; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mariadb-bin.000002, end_log_pos 4380"

// replicaStatusCases maps each recorded column set to what must be read
// from it by the adapter of that server's version.
var replicaStatusCases = []struct {
	name, version, fixture string
	want                   ReplicaStatus
}{{
	name: "MySQL 5.7 SHOW SLAVE STATUS, applier stopped on 1062", version: "5.7.44-log", fixture: mysql57SlaveStatus,
	want: ReplicaStatus{
		SourceHost: "mysql-0.mysql", SourcePort: 3306, SourceUser: "repl", SourceServerID: 100, SourceUUID: uuidPrimary,
		IOThread: "Yes", SQLThread: "No", IOState: "Waiting for master to send event",
		SourceLogFile: "mysql-0-bin.000002", ReadSourceLogPos: 9123,
		RelaySourceLogFile: "mysql-0-bin.000002", ExecSourceLogPos: 8500,
		LastSQLError: &ThreadError{Errno: 1062, Message: dupKey57, Time: "240315 10:01:02"},
	},
}, {
	name: "MySQL 8.0.21 SHOW SLAVE STATUS, receiver connecting", version: "8.0.21", fixture: mysql80SlaveStatus,
	want: ReplicaStatus{
		SourceHost: "mysql-0.mysql.db.svc.cluster.local", SourcePort: 3306, SourceUser: "repl", SourceServerID: 100, SourceUUID: uuidPrimary,
		IOThread: "Connecting", SQLThread: "Yes", IOState: "Connecting to master",
		SQLState:      "Slave has read all relay log; waiting for more updates",
		SourceLogFile: "mysql-bin.000001", ReadSourceLogPos: 1500, RelaySourceLogFile: "mysql-bin.000001", ExecSourceLogPos: 1500,
		LastIOError: &ThreadError{Errno: 2003, Time: "240316 08:00:00",
			Message: "error connecting to master 'repl@mysql-0.mysql.db.svc.cluster.local:3306' - retry-time: 60 retries: 3 message: Can't connect to MySQL server on 'mysql-0.mysql.db.svc.cluster.local:3306' (111)"},
		AutoPosition: true, RetrievedGTIDSet: uuidPrimary + ":1-7", ExecutedGTIDSet: uuidPrimary + ":1-7",
	},
}, {
	name: "MySQL 8.0.36 SHOW REPLICA STATUS, 3 s behind", version: "8.0.36", fixture: mysql80ReplicaStatus,
	want: ReplicaStatus{
		SourceHost: "mysql-0.mysql", SourcePort: 3306, SourceUser: "repl", SourceServerID: 100, SourceUUID: uuidPrimary,
		IOThread: "Yes", SQLThread: "Yes", IOState: "Waiting for source to send event",
		SQLState:      "Waiting for dependent transaction to commit",
		SourceLogFile: "mysql-bin.000003", ReadSourceLogPos: 5120, RelaySourceLogFile: "mysql-bin.000003", ExecSourceLogPos: 4900,
		SecondsBehind: ptr[int64](3), AutoPosition: true,
		RetrievedGTIDSet: uuidPrimary + ":1-42", ExecutedGTIDSet: uuidPrimary + ":1-40," + uuidReplica + ":1-2",
	},
}, {
	name: "MySQL 8.4 SHOW REPLICA STATUS, delayed, tagged GTIDs", version: "8.4.3", fixture: mysql84ReplicaStatus,
	want: ReplicaStatus{
		SourceHost: "10.244.0.12", SourcePort: 3306, SourceUser: "repl", SourceServerID: 1, SourceUUID: uuidPrimary,
		IOThread: "Yes", SQLThread: "Yes", IOState: "Waiting for source to send event",
		SQLState:      "Replica has read all relay log; waiting for more updates",
		SourceLogFile: "binlog.000007", ReadSourceLogPos: 197, RelaySourceLogFile: "binlog.000007", ExecSourceLogPos: 197,
		SecondsBehind: ptr[int64](0), SQLDelay: 3600, AutoPosition: true,
		RetrievedGTIDSet: uuidPrimary + ":1-9:audit:1-2", ExecutedGTIDSet: uuidPrimary + ":1-9:audit:1-2",
	},
}, {
	name: "MariaDB 10.11 SHOW SLAVE STATUS, SQL thread stopped", version: "10.11.19-MariaDB-0+deb12u1-log", fixture: mariadb1011SlaveStatus,
	want: ReplicaStatus{
		SourceHost: "mariadb-0.mariadb", SourcePort: 3306, SourceUser: "repl", SourceServerID: 1,
		IOThread: "Yes", SQLThread: "No", IOState: "Waiting for master to send event",
		SourceLogFile: "mysql-bin.000001", ReadSourceLogPos: 2210, RelaySourceLogFile: "mysql-bin.000001", ExecSourceLogPos: 2210,
		AutoPosition: true, UsingGTID: "Slave_Pos", GTIDIOPos: "0-1-12",
	},
}, {
	name: "MariaDB 11.x SHOW SLAVE STATUS, applier stopped on 1062", version: "11.4.2-MariaDB-ubu2404", fixture: mariadb11SlaveStatus,
	want: ReplicaStatus{
		SourceHost: "mariadb-0.mariadb.db.svc.cluster.local", SourcePort: 3306, SourceUser: "repl", SourceServerID: 1,
		IOThread: "Yes", SQLThread: "No", IOState: "Waiting for master to send event",
		SourceLogFile: "mariadb-bin.000002", ReadSourceLogPos: 4400, RelaySourceLogFile: "mariadb-bin.000002", ExecSourceLogPos: 4100,
		LastSQLError: &ThreadError{Errno: 1062, Message: dupKey11},
		AutoPosition: true, UsingGTID: "Current_Pos", GTIDIOPos: "0-1-30",
	},
}}

func TestParseReplicaStatus(t *testing.T) {
	for _, tc := range replicaStatusCases {
		t.Run(tc.name, func(t *testing.T) {
			a := mustAdapter(t, tc.version)
			got, err := a.parseReplicaStatus(mustRow(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&tc.want, got); d != "" {
				t.Errorf("replica status (-want +got):\n%s", d)
			}
		})
	}
}

// Reading by name: the same row with its columns in reverse order must read
// the same, as column order moves between releases.
func TestParseReplicaStatusIgnoresColumnOrder(t *testing.T) {
	for _, tc := range replicaStatusCases {
		cols, vals := verticalRow(tc.fixture)
		slices.Reverse(cols)
		slices.Reverse(vals)
		r, err := newRow(cols, vals)
		if err != nil {
			t.Fatal(err)
		}
		got, err := mustAdapter(t, tc.version).parseReplicaStatus(r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := cmp.Diff(&tc.want, got); d != "" {
			t.Errorf("%s reversed (-want +got):\n%s", tc.name, d)
		}
	}
}

// An adapter fed another release's column set must say which columns it
// misses instead of reading zeros.
func TestParseReplicaStatusWrongColumnSet(t *testing.T) {
	cases := []struct {
		version, fixture string
		mentions         []string
	}{
		{"8.0.36", mysql57SlaveStatus, []string{"Source_Host", "Replica_SQL_Running", "Seconds_Behind_Source"}},
		{"8.4.0", mysql80SlaveStatus, []string{"Source_Host", "Exec_Source_Log_Pos"}},
		{"5.7.44", mysql84ReplicaStatus, []string{"Master_Host", "Slave_IO_Running"}},
		{"8.0.21", mariadb1011SlaveStatus, []string{"Master_UUID", "Auto_Position", "Executed_Gtid_Set"}},
		{"10.11.6-MariaDB", mysql57SlaveStatus, []string{"Using_Gtid", "Gtid_IO_Pos"}},
	}
	for _, tc := range cases {
		_, err := mustAdapter(t, tc.version).parseReplicaStatus(mustRow(t, tc.fixture))
		if err == nil {
			t.Errorf("%s: parsed a foreign column set without error", tc.version)
			continue
		}
		for _, col := range tc.mentions {
			if !strings.Contains(err.Error(), col) {
				t.Errorf("%s: error %q does not name missing column %s", tc.version, err, col)
			}
		}
	}
}

// Seconds_Behind must be nil, never 0, whenever a thread is stopped, even if
// a server printed a number.
func TestSecondsBehindNilWhenThreadStopped(t *testing.T) {
	cases := map[string]string{
		"SQL thread stopped":  strings.Replace(mysql80ReplicaStatus, "Replica_SQL_Running: Yes", "Replica_SQL_Running: No", 1),
		"IO thread stopped":   strings.Replace(mysql80ReplicaStatus, "Replica_IO_Running: Yes", "Replica_IO_Running: No", 1),
		"IO thread connects":  strings.Replace(mysql80ReplicaStatus, "Replica_IO_Running: Yes", "Replica_IO_Running: Connecting", 1),
		"NULL while running":  strings.Replace(mysql80ReplicaStatus, "Seconds_Behind_Source: 3", "Seconds_Behind_Source: NULL", 1),
		"NULL, 0 not assumed": strings.Replace(mysql84ReplicaStatus, "Seconds_Behind_Source: 0", "Seconds_Behind_Source: NULL", 1),
	}
	for name, fixture := range cases {
		s, err := mustAdapter(t, "8.4.0").parseReplicaStatus(mustRow(t, fixture))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.SecondsBehind != nil {
			t.Errorf("%s: SecondsBehind = %d, want nil", name, *s.SecondsBehind)
		}
	}
}

func TestParseIdentity(t *testing.T) {
	cases := []struct {
		name, version, fixture string
		want                   InstanceReport
	}{{
		name: "MySQL 8.4 replica", version: "8.4.3", fixture: mysql84Identity,
		want: InstanceReport{
			Flavour: MySQL84, Version: "8.4.3", VersionComment: "MySQL Community Server - GPL",
			ServerID: 2, ServerUUID: uuidReplica, Hostname: "mysql-1", ReportHost: "mysql-1.mysql", Port: 3306,
			ReadOnly: true, SuperReadOnly: ptr(true), LogBin: true,
			GTID: GTIDState{Mode: "ON", Executed: uuidPrimary + ":1-40," + uuidReplica + ":1-2", Purged: uuidPrimary + ":1-5"},
		},
	}, {
		name: "MySQL 5.7 primary without GTIDs", version: "5.7.44-log", fixture: mysql57Identity,
		want: InstanceReport{
			Flavour: MySQL57, Version: "5.7.44-log", VersionComment: "MySQL Community Server (GPL)",
			ServerID: 100, ServerUUID: uuidPrimary, Hostname: "mysql-0", Port: 3306,
			SuperReadOnly: ptr(false), LogBin: true, GTID: GTIDState{Mode: "OFF"},
		},
	}, {
		name: "MariaDB replica: no super_read_only, report_port 0 means @@port", version: "10.11.19-MariaDB-0+deb12u1-log", fixture: mariadbIdentity,
		want: InstanceReport{
			Flavour: MariaDB, Version: "10.11.19-MariaDB-0+deb12u1-log", VersionComment: "Debian 12",
			ServerID: 2, Hostname: "mariadb-1", ReportHost: "mariadb-1.mariadb", Port: 3306,
			ReadOnly: true, SuperReadOnly: nil, LogBin: true,
			GTID: GTIDState{BinlogPos: "0-1-12", BinlogState: "0-2-3,0-1-12", CurrentPos: "0-1-12", SlavePos: "0-1-12", StrictMode: ptr(true), DomainID: ptr[uint32](0)},
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustAdapter(t, tc.version).parseIdentity(mustRow(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&tc.want, got); d != "" {
				t.Errorf("identity (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseBinlogStatus(t *testing.T) {
	got, err := mustAdapter(t, "8.4.0").parseBinlogStatus(mustRow(t, mysqlBinlogStatus))
	if err != nil {
		t.Fatal(err)
	}
	want := &BinlogStatus{File: "binlog.000007", Position: 197, ExecutedGTIDSet: uuidPrimary + ":1-40," + uuidReplica + ":1-2"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("MySQL binlog status (-want +got):\n%s", d)
	}
	got, err = mustAdapter(t, "11.4.2-MariaDB").parseBinlogStatus(mustRow(t, mariadbBinlogStatus))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&BinlogStatus{File: "mysql-bin.000001", Position: 2210}, got); d != "" {
		t.Errorf("MariaDB binlog status (-want +got):\n%s", d)
	}
	// MySQL always has Executed_Gtid_Set; its absence means a wrong set.
	if _, err := mustAdapter(t, "8.0.36").parseBinlogStatus(mustRow(t, mariadbBinlogStatus)); err == nil {
		t.Error("MySQL adapter accepted a binlog status without Executed_Gtid_Set")
	}
}
