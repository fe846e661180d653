package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/mysqlctl/mysqlctl/sql"
)

func TestStatusHealthy(t *testing.T) {
	c := newTestCluster(t, clusterObjects(3), healthyServers(3))
	r, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := ClusterSummary{
		Name: "mysql", Namespace: testNS, Flavour: "mariadb", Version: "10.11.6-MariaDB-log",
		Primary: "mysql-0", RecordedPrimary: "mysql-0", WriteEndpoint: "mysql-primary",
		Pods: 3, ReadyPods: 3, Replicas: 2, Replicating: 2,
		WorstLagSeconds: ptr.To(int64(0)), WorstLagPod: "mysql-1", SemiSyncAsked: "off", PrimaryNode: "node-1", Problems: []string{},
	}
	if diff := cmp.Diff(want, r.Cluster); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if got := r.Cluster.Server(); got != "MariaDB 10.11.6" {
		t.Errorf("Server() = %q", got)
	}
	var pods, roles []string
	for _, m := range r.Members {
		pods = append(pods, m.Pod)
		roles = append(roles, string(m.Role))
		if m.Error != "" || !m.Ready || m.ServerID == nil || *m.ServerID != uint32(100+m.Ordinal) {
			t.Errorf("member %s: %+v", m.Pod, m)
		}
	}
	if diff := cmp.Diff([]string{"mysql-0", "mysql-1", "mysql-2"}, pods); diff != "" {
		t.Errorf("pods: %s", diff)
	}
	if diff := cmp.Diff([]string{"primary", "replica", "replica"}, roles); diff != "" {
		t.Errorf("roles: %s", diff)
	}
	m1 := r.Member("mysql-1")
	if m1.Replication == nil || !m1.Replication.FollowsPrimary || m1.Replication.SourcePod != "mysql-0" || m1.Replication.Source != "mysql-0.mysql:3306" {
		t.Errorf("mysql-1 replication: %+v", m1.Replication)
	}
	if m1.ReadyContainers != 2 || m1.Containers != 2 || m1.Node != "node-1" || m1.CreatedAt == nil {
		t.Errorf("mysql-1 pod fields: %+v", m1)
	}
	if m0 := r.Member("mysql-0"); m0.Replication != nil || *m0.ReadOnly || m0.SuperReadOnly != nil || *m0.BinlogPosition != 5120 {
		t.Errorf("mysql-0: %+v", m0)
	}
	for _, o := range r.Objects {
		if !o.Present {
			t.Errorf("object %s %s reported missing", o.Kind, o.Name)
		}
	}
}

// A pod whose port-forward never completes costs its own timeout only:
// the others are reported, and the slow one carries the step it hung at.
func TestStatusSlowPodDoesNotBlockOthers(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-1"].forward = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	// mysql-2 ignores cancellation altogether: it is abandoned.
	release := make(chan struct{})
	defer close(release)
	servers["mysql-2"].forward = func(context.Context) error { <-release; return nil }
	c := newTestCluster(t, clusterObjects(3), servers)
	c.memberTimeout = 300 * time.Millisecond

	start := time.Now()
	r, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Not a timing assertion: a status that waited for mysql-2 would
	// never return, since mysql-2 is released only when the test ends.
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("Status took %s with a 300ms pod timeout", elapsed)
	}
	if m := r.Member("mysql-0"); m.Error != "" || !m.Reachable() {
		t.Errorf("mysql-0 should be read: %+v", m)
	}
	for _, pod := range []string{"mysql-1", "mysql-2"} {
		m := r.Member(pod)
		if m.Reachable() || !strings.Contains(m.Error, "port-forward: no answer within 300ms") || m.Role != RoleUnknown {
			t.Errorf("%s: role %s, error %q", pod, m.Role, m.Error)
		}
	}
	if r.Cluster.Primary != "mysql-0" || r.Cluster.Replicating != 0 || r.Cluster.WorstLagSeconds != nil || r.Cluster.WorstLagPod != "mysql-1" {
		t.Errorf("summary: %+v", r.Cluster)
	}
}

// The pods are probed at once, not one after the other: every forward
// waits until all five are in flight, which only a parallel status lets
// happen (a serial one would see each wait run out, and fail below).
func TestStatusProbesInParallel(t *testing.T) {
	servers := healthyServers(5)
	var inFlight sync.WaitGroup
	inFlight.Add(len(servers))
	all := make(chan struct{})
	go func() { inFlight.Wait(); close(all) }()
	var together atomic.Int32
	for _, s := range servers {
		s.forward = func(ctx context.Context) error {
			inFlight.Done()
			select {
			case <-all:
				together.Add(1)
				return nil
			case <-time.After(20 * time.Second):
				return errors.New("the other pods were never probed at the same time")
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	c := newTestCluster(t, clusterObjects(5), servers)
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := together.Load(); n != 5 {
		t.Errorf("%d of 5 pods were probed while all five were in flight: not parallel", n)
	}
}

func TestStatusMissingPodAndPartialReport(t *testing.T) {
	objs := clusterObjects(3)
	objs = objs[:len(objs)-1] // mysql-2 deleted, not re-created yet
	servers := healthyServers(3)
	servers["mysql-1"].reportErr = errors.New("mysql-1: read replica status: connection reset")
	c := newTestCluster(t, objs, servers)
	r, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Members) != 3 {
		t.Fatalf("want a row for the missing pod too, got %d members", len(r.Members))
	}
	m2 := r.Member("mysql-2")
	if m2.PodState != "missing" || m2.Ready || !strings.Contains(m2.Error, "pod mysql-2 does not exist") {
		t.Errorf("mysql-2: %+v", m2)
	}
	m1 := r.Member("mysql-1")
	if !m1.Reachable() || !strings.Contains(m1.Error, "connection reset") {
		t.Errorf("mysql-1 should keep what was read plus the error: %+v", m1)
	}
	if r.Cluster.Pods != 3 || r.Cluster.ReadyPods != 2 {
		t.Errorf("summary: %+v", r.Cluster)
	}
}

func TestStatusWithoutSecret(t *testing.T) {
	var objs []runtime.Object
	for _, o := range clusterObjects(2) {
		if _, secret := o.(*corev1.Secret); !secret {
			objs = append(objs, o)
		}
	}
	r, err := newTestCluster(t, objs, healthyServers(2)).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "no credentials: secret db/mysql-credentials does not exist"
	if diff := cmp.Diff([]string{want}, r.Errors); diff != "" {
		t.Errorf("errors: %s", diff)
	}
	for _, m := range r.Members {
		if m.Error != want || !m.Ready {
			t.Errorf("%s: ready %v, error %q", m.Pod, m.Ready, m.Error)
		}
	}
}

func TestStatusClusterNotFound(t *testing.T) {
	_, err := newTestCluster(t, nil, nil).Status(context.Background())
	if !errors.Is(err, ErrClusterNotFound) {
		t.Fatalf("want ErrClusterNotFound, got %v", err)
	}
	if !strings.Contains(err.Error(), `no cluster named "mysql" in namespace "db"`) {
		t.Errorf("message: %v", err)
	}
}

// A MySQL replica read after the primary holds the primary's newest
// transaction: not errant. The primary is read again before saying so.
func TestStatusRereadsPrimaryBeforeCallingTransactionsErrant(t *testing.T) {
	const uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	primary := func(gtid string) *sql.InstanceReport {
		return &sql.InstanceReport{Name: "mysql-0", Flavour: sql.MySQL84, Version: "8.4.2", ServerID: 100, ServerUUID: uuid,
			SuperReadOnly: ptr.To(false), GTID: sql.GTIDState{Mode: "ON", Executed: gtid}}
	}
	replica := &sql.InstanceReport{Name: "mysql-1", Flavour: sql.MySQL84, Version: "8.4.2", ServerID: 101, ReadOnly: true,
		SuperReadOnly: ptr.To(true), ReportHost: "mysql-1.mysql", GTID: sql.GTIDState{Mode: "ON", Executed: uuid + ":1-11"},
		Replica: &sql.ReplicaStatus{SourceHost: "mysql-0.mysql", SourcePort: 3306, IOThread: "Yes", SQLThread: "Yes", SecondsBehind: ptr.To(int64(0))}}
	primary0 := primary(uuid + ":1-10")
	primary0.ReportHost, primary0.Port = "mysql-0.mysql", 3306
	primary1 := primary(uuid + ":1-11")
	primary1.ReportHost, primary1.Port = "mysql-0.mysql", 3306
	servers := map[string]*fakeServer{
		"mysql-0": {reports: []*sql.InstanceReport{primary0, primary1}},
		"mysql-1": {reports: []*sql.InstanceReport{replica}},
	}
	r, err := newTestCluster(t, clusterObjects(2), servers).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m := r.Member("mysql-1"); m.ErrantTransactions != "" {
		t.Errorf("mysql-1 errant %q after the primary's second read", m.ErrantTransactions)
	}
	if servers["mysql-0"].reads != 2 {
		t.Errorf("primary read %d times, want 2", servers["mysql-0"].reads)
	}
	if !servers["mysql-0"].closed || !servers["mysql-1"].closed {
		t.Error("connections left open after Status")
	}
}

// The admin password reaches the SQL opener and nothing else: not the
// report, not its errors, even when the login fails through the real client.
func TestStatusNeverShowsThePassword(t *testing.T) {
	c := newTestCluster(t, clusterObjects(2), healthyServers(2))
	c.open = New(nil, "mysql", Options{}).open // the real sql.Open, through a tunnel that cannot dial
	r, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), testPassword) {
		t.Errorf("the password appears in the report: %s", out)
	}
	if m := r.Member("mysql-0"); m.Error == "" {
		t.Errorf("the login should have failed: %+v", m)
	}
}

func TestMemberSlotsOrderAndMissing(t *testing.T) {
	pods := []corev1.Pod{*testPod(10, true), *testPod(2, true), *testPod(0, true)}
	pods[0].Name = "mysql-10"
	var got []string
	for _, s := range memberSlots("mysql", pods, 4) {
		got = append(got, s.name)
	}
	want := []string{"mysql-0", "mysql-1", "mysql-2", "mysql-3", "mysql-10"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("slots (-want +got):\n%s", diff)
	}
}

// A pod being deleted says so: its server's own errors while shutting down
// ("invalid connection") would not tell why.
func TestStatusTerminatingPod(t *testing.T) {
	objs := clusterObjects(2)
	pod := objs[len(objs)-1].(*corev1.Pod)
	now := metav1.NewTime(testNow)
	pod.DeletionTimestamp = &now
	servers := healthyServers(2)
	servers["mysql-1"].openErr = errors.New("connect to mysql-1 (127.0.0.1:3306): invalid connection")
	r, err := newTestCluster(t, objs, servers).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := r.Member("mysql-1")
	if m.PodState != "terminating" || m.Ready || m.Error != "pod is being deleted: connect to mysql-1 (127.0.0.1:3306): invalid connection" {
		t.Errorf("mysql-1: state %s, ready %v, error %q", m.PodState, m.Ready, m.Error)
	}
}

// With the primary gone (here: its server does not answer), status and
// check name the replica holding the most transactions.
func TestNoPrimaryNamesTheServerWithTheMostData(t *testing.T) {
	servers := map[string]*fakeServer{
		"mysql-0": {openErr: errors.New("connection refused")},
		"mysql-1": {reports: []*sql.InstanceReport{mariadbReplica(1, "0-100-42")}},
		"mysql-2": {reports: []*sql.InstanceReport{mariadbReplica(2, "0-100-40")}},
	}
	c := newTestCluster(t, clusterObjects(3), servers)
	r, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "mysql-1 holds the most transactions (42, 0-100-42)"
	if !strings.Contains(strings.Join(r.Cluster.Problems, "|"), want) {
		t.Errorf("problems %q, want one saying %q", r.Cluster.Problems, want)
	}
	check, err := newTestCluster(t, clusterObjects(3), servers).Check(context.Background(), CheckOptions{MaxLag: DefaultMaxLag})
	if err != nil {
		t.Fatal(err)
	}
	if got := findResult(check, CheckSinglePrimary); got.Verdict != Fail || !strings.Contains(got.Detail, want) {
		t.Errorf("single-primary %s %q, want FAIL naming mysql-1", got.Verdict, got.Detail)
	}
}

func findResult(r *CheckReport, name string) CheckResult {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return CheckResult{}
}

// A replica whose applier is behind its receiver holds the rows of its
// relay log too: promote applies them first, so it is the one named.
func TestNoPrimaryCountsTheRelayLog(t *testing.T) {
	holding := mariadbReplica(2, "0-100-40")
	holding.Replica.GTIDIOPos = "0-100-44"
	servers := map[string]*fakeServer{
		"mysql-0": {openErr: errors.New("connection refused")},
		"mysql-1": {reports: []*sql.InstanceReport{mariadbReplica(1, "0-100-42")}},
		"mysql-2": {reports: []*sql.InstanceReport{holding}},
	}
	r, err := newTestCluster(t, clusterObjects(3), servers).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "mysql-2 holds the most transactions (44, 0-100-44)"
	if !strings.Contains(strings.Join(r.Cluster.Problems, "|"), want) {
		t.Errorf("problems %q, want one saying %q", r.Cluster.Problems, want)
	}
	if got := r.Member("mysql-2").Replication.GTIDReceived; got != "0-100-44" {
		t.Errorf("mysql-2's received GTIDs %q, want 0-100-44", got)
	}
}

// During an upgrade the summary names each server on another version than
// the primary's.
func TestStatusNamesServersOnAnotherVersion(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-2"].reports[0].Version = "11.8.9-MariaDB-log"
	c := newTestCluster(t, clusterObjects(3), servers)
	r, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Cluster.Server(); got != "MariaDB 10.11.6 (mysql-2 11.8.9)" {
		t.Errorf("Server() = %q", got)
	}
	if r.Members[2].Version != "11.8.9-MariaDB-log" {
		t.Errorf("mysql-2's version: %q", r.Members[2].Version)
	}
}
