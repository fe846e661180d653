package cmd

import (
	"time"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// Fixed status reports for the golden tests of status and check output.

var fixtureNow = time.Date(2025, 3, 15, 10, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func fixtureObjects() []cluster.ObjectPresence {
	return []cluster.ObjectPresence{
		{Kind: "StatefulSet", Name: "mysql", Present: true},
		{Kind: "Service", Name: "mysql", Present: true},
		{Kind: "Service", Name: "mysql-read", Present: true},
		{Kind: "Secret", Name: "mysql-credentials", Present: true},
		{Kind: "ConfigMap", Name: "mysql-config", Present: true},
	}
}

// fixtureMember is a ready MariaDB member: the primary at ordinal 0, else a
// replica of mysql-0 with both threads running and no lag.
func fixtureMember(ordinal int, gtid string, pos uint64) cluster.Member {
	pod := manifest.PodName("mysql", ordinal)
	m := cluster.Member{
		Pod: pod, Ordinal: ordinal, Role: cluster.RolePrimary, Ready: true, ReadyContainers: 2, Containers: 2,
		PodState: "ready", Node: "node-1", CreatedAt: ptr(fixtureNow.Add(-time.Duration(90-10*ordinal) * time.Minute)),
		ServerID: ptr(uint32(100 + ordinal)), Version: "10.11.6-MariaDB-log", ReadOnly: ptr(ordinal > 0),
		BinlogFile: "mysql-bin.000002", BinlogPosition: ptr(pos), GTIDExecuted: gtid,
	}
	if ordinal > 0 {
		m.Role = cluster.RoleReplica
		m.BehindTransactions = ptr(uint64(0))
		m.Replication = &cluster.Replication{
			Source: "mysql-0.mysql:3306", SourcePod: "mysql-0", FollowsPrimary: true,
			IOThread: "Yes", SQLThread: "Yes", IORunning: true, SQLRunning: true, SecondsBehind: ptr(int64(0)),
		}
	}
	return m
}

func healthyFixture() *cluster.StatusReport {
	return &cluster.StatusReport{
		APIVersion: cluster.ReportAPIVersion, Kind: cluster.KindStatus, ObservedAt: fixtureNow,
		Cluster: cluster.ClusterSummary{
			Name: "mysql", Namespace: "db", Flavour: "mariadb", Version: "10.11.6-MariaDB-log", Primary: "mysql-0", RecordedPrimary: "mysql-0", WriteEndpoint: "mysql-primary",
			Pods: 3, ReadyPods: 3, Replicas: 2, Replicating: 2, WorstLagSeconds: ptr(int64(0)), WorstLagPod: "mysql-1",
			Problems: []string{},
		},
		Members: []cluster.Member{
			fixtureMember(0, "0-100-42", 5120), fixtureMember(1, "0-100-42", 4800), fixtureMember(2, "0-100-42", 4800),
		},
		Objects: fixtureObjects(),
		Errors:  []string{},
	}
}

// degradedFixture: mysql-1 wrote an errant transaction and lags behind a
// MASTER_DELAY; mysql-2's IO thread stopped on an error.
func degradedFixture() *cluster.StatusReport {
	r := healthyFixture()
	r.Cluster.ReadyPods, r.Cluster.Replicating = 2, 1
	r.Cluster.WorstLagSeconds, r.Cluster.WorstLagPod = nil, "mysql-2"
	r.Cluster.Problems = []string{
		"mysql-2: replication stopped (IO thread No, SQL thread Yes); error 1236: Got fatal error 1236 from master when reading data from binary log",
		"mysql-1 has errant transactions the primary mysql-0 does not have: 0-101-43",
	}
	m1 := &r.Members[1]
	m1.GTIDExecuted, m1.ErrantTransactions = "0-101-43", "0-101-43"
	m1.Replication.SecondsBehind, m1.Replication.SQLDelaySeconds = ptr(int64(42)), 60
	m2 := &r.Members[2]
	m2.Ready, m2.ReadyContainers, m2.PodState = false, 1, "starting"
	m2.Replication.IOThread, m2.Replication.IORunning, m2.Replication.SecondsBehind = "No", false, nil
	m2.Replication.LastIOError = &cluster.ThreadError{Errno: 1236, Message: "Got fatal error 1236 from master when reading data from binary log"}
	m2.Replication.LastError = "IO error 1236: Got fatal error 1236 from master when reading data from binary log"
	return r
}

// unreachableFixture: mysql-2's pod was deleted and re-created; its server
// does not answer yet.
func unreachableFixture() *cluster.StatusReport {
	r := healthyFixture()
	r.Cluster.ReadyPods, r.Cluster.Replicating = 2, 1
	r.Cluster.WorstLagSeconds, r.Cluster.WorstLagPod = nil, "mysql-2"
	r.Members[2] = cluster.Member{
		Pod: "mysql-2", Ordinal: 2, Role: cluster.RoleUnknown, ReadyContainers: 0, Containers: 2,
		PodState: "initializing", Node: "node-1", CreatedAt: ptr(fixtureNow.Add(-20 * time.Second)),
		Error: "port-forward to pod db/mysql-2: pod is Pending, not Running",
	}
	return r
}

// mysqlFixture is the healthy cluster on MySQL 8.4: server UUIDs, GTID
// sets and super_read_only.
func mysqlFixture() *cluster.StatusReport {
	r := healthyFixture()
	r.Cluster.Flavour, r.Cluster.Version = "mysql-8.4", "8.4.2"
	uuids := []string{"3e11fa47-71ca-11e1-9e33-c80aa9429562", "5b1e9a1c-2f3d-11ef-8a4b-0242ac120003", "7c2f0b2d-2f3d-11ef-8a4b-0242ac120004"}
	for i := range r.Members {
		m := &r.Members[i]
		m.Version, m.ServerUUID, m.SuperReadOnly = "8.4.2", uuids[i], ptr(i > 0)
		m.BinlogFile, m.GTIDExecuted = "mysql-0-bin.000003", uuids[0]+":1-42"
	}
	return r
}
