package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// Fakes of the Cluster's seams: a fake clientset holds the objects and
// pods, fakeServers answers for each pod.

const (
	testNS       = "db"
	testPassword = "S3cretAdminPassw0rdXYZ12"
)

var testNow = time.Date(2025, 3, 15, 10, 0, 0, 0, time.UTC)

// fakeServer is one pod's server: its reports in order (the last repeats),
// or an error at a given step.
type fakeServer struct {
	reports   []*sql.InstanceReport
	reportErr error
	openErr   error
	forward   func(ctx context.Context) error // nil: forward at once
	waitErr   error
	waitErrs  []error // the results of the first waits, in order; then waitErr

	mu       sync.Mutex
	reads    int
	closed   bool
	executed []string         // statements Exec ran, in order
	fences   []string         // the fence.sh commands run in its pod, in order
	fenceErr error            // what running fence.sh fence in its pod returns
	podGone  bool             // running anything in its pod fails (a sidecar restarting)
	execErr  map[string]error // what Exec of a statement returns, by its text
	// stillReceives keeps its receiver connected to a source that does
	// not answer mysqlctl (see loseReceivers).
	stillReceives bool
	// certificateEnds are what it says its certificate's end is, in
	// order (the last repeats): Ssl_server_not_after.
	certificateEnds []string
	certReads       int
}

// loseReceivers is what a server that does not answer means to its
// replicas: their receivers lost it (Connecting), unless the test says one
// still receives (stillReceives: a server alive but out of mysqlctl's
// reach).
func loseReceivers(servers map[string]*fakeServer) {
	for name, gone := range servers {
		if gone.openErr == nil {
			continue
		}
		for _, s := range servers {
			for _, r := range s.reports {
				if r != nil && r.Replica != nil && r.Replica.SourceHost == name+".mysql" && !s.stillReceives && r.Replica.IOThread == "Yes" {
					r.Replica.IOThread = "Connecting"
				}
			}
		}
	}
}

func (s *fakeServer) nextReport() *sql.InstanceReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reports[min(s.reads, len(s.reports)-1)]
	s.reads++
	return r
}

// fakeConn is the Server the fake opener returns.
type fakeConn struct {
	name string
	srv  *fakeServer
}

func (c *fakeConn) Name() string { return c.name }
func (c *fakeConn) Report(ctx context.Context) (*sql.InstanceReport, error) {
	if len(c.srv.reports) == 0 {
		return nil, c.srv.reportErr
	}
	return c.srv.nextReport(), c.srv.reportErr
}
func (c *fakeConn) WaitForGTID(ctx context.Context, gtid string, timeout time.Duration) error {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if len(c.srv.waitErrs) > 0 {
		err := c.srv.waitErrs[0]
		c.srv.waitErrs = c.srv.waitErrs[1:]
		return err
	}
	return c.srv.waitErr
}
func (c *fakeConn) WaitForPosition(ctx context.Context, file string, pos uint64, timeout time.Duration) error {
	return c.srv.waitErr
}
func (c *fakeConn) Adapter() sql.Adapter {
	a, err := sql.NewAdapter(sql.ServerInfo{Version: "10.11.6-MariaDB", VersionComment: "MariaDB"})
	if err != nil {
		panic(err)
	}
	return a
}
func (c *fakeConn) Exec(ctx context.Context, stmts ...sql.Statement) error {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	for _, st := range stmts {
		if err := c.srv.execErr[st.String()]; err != nil {
			return err
		}
		c.srv.executed = append(c.srv.executed, st.String())
	}
	return nil
}
func (c *fakeConn) ExecHiding(ctx context.Context, secrets []string, stmts ...sql.Statement) error {
	return c.Exec(ctx, stmts...)
}
func (c *fakeConn) Column(ctx context.Context, s sql.Statement) ([]string, error) {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if strings.Contains(s.SQL, "Ssl_server_not_after") && len(c.srv.certificateEnds) > 0 {
		v := c.srv.certificateEnds[min(c.srv.certReads, len(c.srv.certificateEnds)-1)]
		c.srv.certReads++
		return []string{v}, nil
	}
	return nil, nil
}
func (c *fakeConn) Close() error {
	c.srv.mu.Lock()
	c.srv.closed = true
	c.srv.mu.Unlock()
	return nil
}

type fakeTunnel struct{ pod string }

func (t fakeTunnel) Addr() string { return "127.0.0.1:3306" }
func (t fakeTunnel) DialContext(ctx context.Context, addr string) (net.Conn, error) {
	return nil, errors.New("fake tunnel: no dialing")
}
func (t fakeTunnel) Close() error { return nil }

// newTestCluster wires fake Kubernetes objects and fake servers.
func newTestCluster(t *testing.T, objs []runtime.Object, servers map[string]*fakeServer) *Cluster {
	t.Helper()
	return newTestClusterOn(t, fake.NewClientset(objs...), servers)
}

// newTestClusterOn is newTestCluster over a fake clientset the test keeps,
// to look at objects kube has no getter for.
func newTestClusterOn(t *testing.T, cs *fake.Clientset, servers map[string]*fakeServer) *Cluster {
	t.Helper()
	loseReceivers(servers)
	c := New(kube.NewClientFromInterface(cs, testNS), "mysql", Options{})
	c.now = func() time.Time { return testNow }
	c.memberTimeout = 2 * time.Second
	c.forward = func(ctx context.Context, pod string, port int) (Tunnel, error) {
		srv, ok := servers[pod]
		if !ok {
			return nil, fmt.Errorf("port-forward to pod %s/%s: no such fake", testNS, pod)
		}
		if srv.forward != nil {
			if err := srv.forward(ctx); err != nil {
				return nil, err
			}
		}
		return fakeTunnel{pod}, nil
	}
	c.runInPod = func(_ context.Context, pod, container string, command []string, _ kube.ExecOptions) error {
		srv, ok := servers[pod]
		if !ok || container != manifest.ContainerSidecar || len(command) < 3 {
			return fmt.Errorf("exec in %s/%s: no such fake pod or command %v", testNS, pod, command)
		}
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if srv.podGone {
			return fmt.Errorf("exec in %s/%s: container not found (\"sidecar\")", testNS, pod)
		}
		if srv.fenceErr != nil && command[2] == "fence" {
			return srv.fenceErr
		}
		srv.fences = append(srv.fences, command[2])
		return nil
	}
	c.open = func(ctx context.Context, target sql.Target) (Server, error) {
		if target.User != manifest.AdminUser || target.Password != testPassword {
			return nil, fmt.Errorf("connect to %s: access denied for %s", target.Name, target.User)
		}
		srv := servers[target.Name]
		if srv.openErr != nil {
			return nil, srv.openErr
		}
		return &fakeConn{name: target.Name, srv: srv}, nil
	}
	return c
}

// clusterObjects are the objects `up` makes for a cluster of n pods, all
// ready, plus any extra objects.
func clusterObjects(n int, readyPods ...int) []runtime.Object {
	objs := []runtime.Object{
		&appsv1.StatefulSet{ObjectMeta: meta("mysql"), Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(int32(n))}},
		&corev1.Service{ObjectMeta: meta("mysql")},
		&corev1.Service{ObjectMeta: meta("mysql-read")},
		&corev1.Service{ObjectMeta: meta("mysql-primary")},
		&corev1.ConfigMap{ObjectMeta: meta("mysql-config")},
		// The record, as up writes it: mysql-0 is the primary.
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mysql-state", Namespace: testNS, Labels: manifest.Labels("mysql", ComponentState)},
			Data: map[string]string{StateKeyPrimary: "mysql-0"}},
		&policyv1.PodDisruptionBudget{ObjectMeta: meta("mysql")},
		&policyv1.PodDisruptionBudget{ObjectMeta: meta("mysql-primary")},
		&corev1.Secret{ObjectMeta: meta("mysql-credentials"), Data: map[string][]byte{
			manifest.SecretKeyAdminPassword: []byte(testPassword), manifest.SecretKeyRootPassword: []byte("root-pw-never-used"),
			manifest.SecretKeyReplicationPassword: []byte("repl-pw-never-used"),
		}},
	}
	ready := map[int]bool{}
	for _, i := range readyPods {
		ready[i] = true
	}
	for i := 0; i < n; i++ {
		objs = append(objs, testPod(i, readyPods == nil || ready[i]))
	}
	return objs
}

func meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: testNS, Labels: manifest.Labels("mysql", manifest.ComponentDatabase)}
}

func testPod(ordinal int, ready bool) *corev1.Pod {
	m := meta(manifest.PodName("mysql", ordinal))
	m.CreationTimestamp = metav1.NewTime(testNow.Add(-time.Hour))
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: m,
		Spec:       corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: manifest.ContainerServer}, {Name: manifest.ContainerSidecar}}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}, {Type: corev1.PodScheduled, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: manifest.ContainerServer, Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				{Name: manifest.ContainerSidecar, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			},
		},
	}
}

// MariaDB reports shaped like the ones of a healthy 3-server cluster: the
// primary wrote 0-100-42; replicas executed it.
func mariadbPrimary() *sql.InstanceReport {
	return &sql.InstanceReport{
		Name: "mysql-0", Flavour: sql.MariaDB, Version: "10.11.6-MariaDB-log", ServerID: 100,
		Hostname: "mysql-0", ReportHost: "mysql-0.mysql", Port: 3306, LogBin: true,
		Binlog: &sql.BinlogStatus{File: "mysql-bin.000002", Position: 5120},
		GTID:   sql.GTIDState{BinlogPos: "0-100-42", CurrentPos: "0-100-42"},
	}
}

func mariadbReplica(ordinal int, gtid string) *sql.InstanceReport {
	name := manifest.PodName("mysql", ordinal)
	return &sql.InstanceReport{
		Name: name, Flavour: sql.MariaDB, Version: "10.11.6-MariaDB-log", ServerID: uint32(100 + ordinal),
		Hostname: name, ReportHost: name + ".mysql", Port: 3306, ReadOnly: true, LogBin: true,
		Binlog: &sql.BinlogStatus{File: "mysql-bin.000001", Position: 4800},
		GTID:   sql.GTIDState{BinlogPos: gtid, CurrentPos: gtid, SlavePos: gtid},
		Replica: &sql.ReplicaStatus{
			SourceHost: "mysql-0.mysql", SourcePort: 3306, SourceUser: "repl", SourceServerID: 100,
			IOThread: "Yes", SQLThread: "Yes", SecondsBehind: ptr.To(int64(0)),
			SourceLogFile: "mysql-bin.000002", ReadSourceLogPos: 5120,
			RelaySourceLogFile: "mysql-bin.000002", ExecSourceLogPos: 5120,
			AutoPosition: true, UsingGTID: "Slave_Pos",
		},
	}
}

// healthyServers answers for mysql-0..n-1 of a healthy cluster.
func healthyServers(n int) map[string]*fakeServer {
	out := map[string]*fakeServer{"mysql-0": {reports: []*sql.InstanceReport{mariadbPrimary()}}}
	for i := 1; i < n; i++ {
		out[manifest.PodName("mysql", i)] = &fakeServer{reports: []*sql.InstanceReport{mariadbReplica(i, "0-100-42")}}
	}
	return out
}
