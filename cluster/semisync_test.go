package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// semiSyncServers is a healthy cluster of n whose servers were started
// with semi-sync asked for, the primary's source side on.
func semiSyncServers(n int) map[string]*fakeServer {
	servers := healthyServers(n)
	for name, s := range servers {
		for _, r := range s.reports {
			r.SemiSync = &sql.SemiSync{Configured: true, SourceEnabled: name == "mysql-0", SourceActive: name == "mysql-0",
				Clients: map[bool]int{true: n - 1}[name == "mysql-0"], ReplicaActive: name != "mysql-0", TimeoutMillis: 10000}
		}
	}
	return servers
}

// A switchover moves the source side with the writes: the old primary
// stops waiting for acknowledgements once fenced, and the target waits for
// them before it takes its first write. Undone, the old primary gets both
// back in the same order.
func TestSwitchoverMovesSemiSync(t *testing.T) {
	servers := semiSyncServers(3)
	if _, err := newTestCluster(t, clusterObjects(3), servers).Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"}); err != nil {
		t.Fatal(err)
	}
	old, target := strings.Join(servers["mysql-0"].executed, "; "), strings.Join(servers["mysql-2"].executed, "; ")
	if !strings.HasPrefix(old, "SET GLOBAL read_only = ON; SET GLOBAL rpl_semi_sync_master_enabled = OFF; ") {
		t.Errorf("the old primary ran %q, want the fence, then its source side off", old)
	}
	if target != "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL rpl_semi_sync_master_enabled = ON; SET GLOBAL read_only = OFF" {
		t.Errorf("the target ran %q, want its source side on before it takes writes", target)
	}

	servers = semiSyncServers(3)
	servers["mysql-2"].waitErrs = []error{nil, fmt.Errorf("wait: %w", sql.ErrWaitTimeout)}
	if _, err := newTestCluster(t, clusterObjects(3), servers).Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"}); err == nil {
		t.Fatal("the switchover whose target cannot catch up succeeded")
	}
	want := "SET GLOBAL read_only = ON; SET GLOBAL rpl_semi_sync_master_enabled = OFF; SET GLOBAL rpl_semi_sync_master_enabled = ON; SET GLOBAL read_only = OFF"
	if got := strings.Join(servers["mysql-0"].executed, "; "); got != want {
		t.Errorf("the old primary, given its writes back, ran %q, want %q", got, want)
	}
}

// Without semi-sync asked for, no role change touches it: the statements
// of a cluster that does not use it stay what they were.
func TestSwitchoverWithoutSemiSync(t *testing.T) {
	servers := healthyServers(3)
	if _, err := newTestCluster(t, clusterObjects(3), servers).Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"}); err != nil {
		t.Fatal(err)
	}
	for name, s := range servers {
		if got := strings.Join(s.executed, "; "); strings.Contains(got, "semi_sync") {
			t.Errorf("%s ran %q", name, got)
		}
	}
}

// check's semi-sync rule, from the servers' own counters.
func TestCheckSemiSync(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(servers map[string]*fakeServer)
		verdict Verdict
		detail  string
		state   string // the status summary's words
	}{
		{"off", func(s map[string]*fakeServer) {
			for _, f := range s {
				f.reports[0].SemiSync = nil
			}
		}, Pass, "semi-synchronous replication is off", ""},
		{"two replicas acknowledge", func(map[string]*fakeServer) {}, Pass, "mysql-0 waits for an acknowledgement from one of 2 semi-synchronous replicas (falls back after 10s)", "on, 2 replicas acknowledge"},
		{"fell back", func(s map[string]*fakeServer) {
			p := s["mysql-0"].reports[0].SemiSync
			p.SourceActive, p.NoAck = false, 7
		}, Fail, "the primary mysql-0 fell back to asynchronous replication (no acknowledgement within 10s; 7 commits were acknowledged without one", "fell back to asynchronous"},
		{"strict with nobody to acknowledge", func(s map[string]*fakeServer) {
			p := s["mysql-0"].reports[0].SemiSync
			p.Clients, p.TimeoutMillis = 0, manifest.StrictSemiSyncTimeoutMillis
		}, Fail, "no replica acknowledges mysql-0's commits, and semiSync is strict: every write waits", "strict, no replica acknowledges: writes wait"},
		{"on with nobody to acknowledge", func(s map[string]*fakeServer) {
			s["mysql-0"].reports[0].SemiSync.Clients = 0
		}, Fail, "the next commit waits 10s, then the primary falls back", "on, no replica acknowledges"},
		{"the primary does not wait", func(s map[string]*fakeServer) {
			s["mysql-0"].reports[0].SemiSync.SourceEnabled = false
		}, Fail, "the primary mysql-0 does not wait for replicas' acknowledgements", "on, but the primary does not wait"},
	} {
		servers := semiSyncServers(3)
		tc.change(servers)
		report, err := newTestCluster(t, clusterObjects(3), servers).Check(context.Background(), CheckOptions{MaxLag: DefaultMaxLag})
		if err != nil {
			t.Fatal(err)
		}
		if got := findResult(report, CheckSemiSync); got.Verdict != tc.verdict || !strings.Contains(got.Detail, tc.detail) {
			t.Errorf("%s: %s %q, want %s containing %q", tc.name, got.Verdict, got.Detail, tc.verdict, tc.detail)
		}
		if report.Cluster.SemiSync != tc.state {
			t.Errorf("%s: summary says semi-sync %q, want %q", tc.name, report.Cluster.SemiSync, tc.state)
		}
	}
}

// The StatefulSet asks for semi-sync and no server runs with it (MySQL
// without its plugins: the cnf's loose- variables are then ignored): check
// fails rather than say semi-sync is off.
func TestCheckSemiSyncAskedButNotRunning(t *testing.T) {
	servers := healthyServers(3)
	objs := clusterObjects(3)
	for _, o := range objs {
		if sts, ok := o.(*appsv1.StatefulSet); ok {
			c := &sts.Spec.Template.Spec.InitContainers
			if len(*c) == 0 {
				*c = append(*c, corev1.Container{Name: manifest.ContainerInitConfig})
			}
			(*c)[0].Env = append((*c)[0].Env, corev1.EnvVar{Name: "SEMI_SYNC_TIMEOUT_MS", Value: "10000"})
		}
	}
	report, err := newTestCluster(t, objs, servers).Check(context.Background(), CheckOptions{MaxLag: DefaultMaxLag})
	if err != nil {
		t.Fatal(err)
	}
	if got := findResult(report, CheckSemiSync); got.Verdict != Fail || !strings.Contains(got.Detail, "the cluster asks for semiSync on, but no server runs with it") {
		t.Errorf("semi-sync asked, not running: %s %q", got.Verdict, got.Detail)
	}
	if report.Cluster.SemiSyncAsked != "on" {
		t.Errorf("semiSyncAsked %q, want on", report.Cluster.SemiSyncAsked)
	}
}
