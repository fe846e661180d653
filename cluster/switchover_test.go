package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// The order of a switchover: fence the old primary, make the target
// writable, move the record and the write Service, repoint everyone.
func TestSwitchoverMovesTheRole(t *testing.T) {
	servers := healthyServers(3)
	cs := fake.NewClientset(clusterObjects(3)...)
	c := newTestClusterOn(t, cs, servers)
	ctx := context.Background()
	change, err := c.Switchover(ctx, SwitchoverOptions{To: "mysql-2"})
	if err != nil {
		t.Fatal(err)
	}
	if change.From != "mysql-0" || change.To != "mysql-2" || len(change.Repointed) != 2 {
		t.Errorf("change %+v", change)
	}
	old, target, other := servers["mysql-0"].executed, servers["mysql-2"].executed, servers["mysql-1"].executed
	if len(old) == 0 || old[0] != "SET GLOBAL read_only = ON" || !strings.Contains(strings.Join(old, "\n"), "CHANGE MASTER TO MASTER_HOST='mysql-2.mysql'") || old[len(old)-1] != "START SLAVE" {
		t.Errorf("the old primary ran:\n%s\nwant the fence first, then a change of source to mysql-2", strings.Join(old, "\n"))
	}
	if strings.Join(target, "; ") != "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF" {
		t.Errorf("the target ran %q", target)
	}
	if !strings.Contains(strings.Join(other, "\n"), "MASTER_HOST='mysql-2.mysql'") {
		t.Errorf("mysql-1 was not repointed: %q", other)
	}
	if p, _ := c.RecordedPrimary(ctx); p != "mysql-2" {
		t.Errorf("recorded primary %q, want mysql-2", p)
	}
	svc, err := cs.CoreV1().Services(testNS).Get(ctx, manifest.PrimaryServiceName("mysql"), metav1.GetOptions{})
	if err != nil || svc.Spec.Selector[manifest.LabelPodName] != "mysql-2" {
		t.Errorf("write Service %v: %v", svc, err)
	}
	// A drain waits on the new primary, and may take the old one.
	pdb, err := cs.PolicyV1().PodDisruptionBudgets(testNS).Get(ctx, manifest.PrimaryDisruptionBudgetName("mysql"), metav1.GetOptions{})
	if err != nil || pdb.Spec.Selector.MatchLabels[manifest.LabelPodName] != "mysql-2" || pdb.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("the primary's disruption budget %v: %v", pdb, err)
	}
	pdb, err = cs.PolicyV1().PodDisruptionBudgets(testNS).Get(ctx, manifest.DisruptionBudgetName("mysql"), metav1.GetOptions{})
	if err != nil || len(pdb.Spec.Selector.MatchExpressions) != 1 || fmt.Sprint(pdb.Spec.Selector.MatchExpressions[0].Values) != "[mysql-2]" {
		t.Errorf("the replicas' disruption budget %v: %v", pdb, err)
	}
}

// A target that cannot apply the last transactions after the fence: the
// old primary takes writes again and nothing else moved.
func TestSwitchoverUnfencesOnFailure(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-2"].waitErrs = []error{nil, fmt.Errorf("wait: %w", sql.ErrWaitTimeout)}
	c := newTestCluster(t, clusterObjects(3), servers)
	_, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"})
	if err == nil || !strings.Contains(err.Error(), "mysql-0 takes writes again") {
		t.Fatalf("err %v, want the old primary writable again", err)
	}
	if got := strings.Join(servers["mysql-0"].executed, "; "); got != "SET GLOBAL read_only = ON; SET GLOBAL read_only = OFF" {
		t.Errorf("the old primary ran %q", got)
	}
	if len(servers["mysql-2"].executed) != 0 || len(servers["mysql-1"].executed) != 0 {
		t.Errorf("replicas changed: %q %q", servers["mysql-2"].executed, servers["mysql-1"].executed)
	}
	if p, _ := c.RecordedPrimary(context.Background()); p != "mysql-0" {
		t.Errorf("recorded primary %q, want mysql-0 still", p)
	}
}

// promote refuses a healthy primary, and a replica behind another unless
// forced; forced, the one ahead stops replicating and is named for reclone.
func TestPromoteRefusesAndForces(t *testing.T) {
	ctx := context.Background()
	c := newTestCluster(t, clusterObjects(3), healthyServers(3))
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1"}); err == nil || !strings.Contains(err.Error(), "is healthy and takes writes") {
		t.Errorf("promote with a healthy primary: %v", err)
	}

	lost := func() map[string]*fakeServer {
		s := healthyServers(3)
		s["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
		s["mysql-1"].reports = []*sql.InstanceReport{mariadbReplica(1, "0-100-40")}
		return s
	}
	servers := lost()
	c = newTestCluster(t, clusterObjects(3, 1, 2), servers)
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1"}); err == nil || !strings.Contains(err.Error(), "mysql-2 received transactions mysql-1 has not") {
		t.Errorf("promote of the replica behind: %v", err)
	}
	if len(servers["mysql-1"].executed) != 0 {
		t.Errorf("a refused promote changed mysql-1: %q", servers["mysql-1"].executed)
	}
	change, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(servers["mysql-2"].executed, "; "); got != "STOP SLAVE" {
		t.Errorf("the replica ahead ran %q, want its replication stopped only", got)
	}
	if !strings.Contains(strings.Join(change.NotRepointed, "\n"), "run mysqlctl reclone mysql-2") {
		t.Errorf("change %+v does not send mysql-2 to reclone", change)
	}
	if p, _ := c.RecordedPrimary(ctx); p != "mysql-1" {
		t.Errorf("recorded primary %q, want mysql-1", p)
	}
}

// A replica that has not applied all it received is waited for, with the
// server's own wait; one that cannot catch up is not promoted.
func TestPromoteWaitsForTheRelayLog(t *testing.T) {
	lagging := func(waitErr error) map[string]*fakeServer {
		s := healthyServers(3)
		s["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
		rep := mariadbReplica(1, "0-100-42")
		rep.Replica.IOThread, rep.Replica.ExecSourceLogPos = "Connecting", 4000
		s["mysql-1"].reports = []*sql.InstanceReport{rep}
		s["mysql-1"].waitErr = waitErr
		return s
	}
	servers := lagging(fmt.Errorf("wait: %w", sql.ErrWaitTimeout))
	c := newTestCluster(t, clusterObjects(3, 1, 2), servers)
	_, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-1"})
	if err == nil || !strings.Contains(err.Error(), "has not applied what it received (mysql-bin.000002:5120)") || len(servers["mysql-1"].executed) != 0 {
		t.Errorf("promote of a replica that cannot apply its relay log: %v, ran %q", err, servers["mysql-1"].executed)
	}
	servers = lagging(nil)
	c = newTestCluster(t, clusterObjects(3, 1, 2), servers)
	if _, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-1"}); err != nil {
		t.Errorf("promote once the relay log is applied: %v", err)
	}
}
