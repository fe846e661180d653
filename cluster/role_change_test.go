package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// withRecord is clusterObjects(n) whose record holds data instead.
func withRecord(n int, data map[string]string, readyPods ...int) []runtime.Object {
	objs := clusterObjects(n, readyPods...)
	for _, o := range objs {
		if cm, ok := o.(*corev1.ConfigMap); ok && cm.Name == manifest.StateConfigMapName("mysql") {
			cm.Data = data
		}
	}
	return objs
}

func intentJSON(t *testing.T, in Intent) string {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func recordData(t *testing.T, c *Cluster) map[string]string {
	t.Helper()
	cm, err := c.api.GetConfigMap(context.Background(), manifest.StateConfigMapName("mysql"))
	if err != nil || cm == nil {
		t.Fatalf("the record: %v, %v", cm, err)
	}
	return cm.Data
}

// A switchover marks the old primary fenced on its volume before it fences
// its server, removes the target's marker before it becomes writable, and
// leaves no intent behind.
func TestSwitchoverMarksTheFence(t *testing.T) {
	servers := healthyServers(3)
	c := newTestCluster(t, clusterObjects(3), servers)
	if _, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"}); err != nil {
		t.Fatal(err)
	}
	if got := servers["mysql-0"].fences; !slices.Equal(got, []string{"fence"}) {
		t.Errorf("mysql-0's fence commands %q, want [fence]", got)
	}
	if got := servers["mysql-2"].fences; !slices.Equal(got, []string{"unfence"}) {
		t.Errorf("mysql-2's fence commands %q, want [unfence]", got)
	}
	if data := recordData(t, c); data[StateKeyPrimary] != "mysql-2" || data[stateKeyChange] != "" {
		t.Errorf("record %v, want mysql-2 and no change under way", data)
	}
}

// A fence marker that cannot be written stops the switchover before any
// server changed, and the intent goes.
func TestSwitchoverStopsWhenTheMarkerFails(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-0"].fenceErr = errors.New("exec: pod has no sidecar")
	c := newTestCluster(t, clusterObjects(3), servers)
	_, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"})
	if err == nil || !strings.Contains(err.Error(), "fence mysql-0") {
		t.Fatalf("err %v, want the fence's failure", err)
	}
	if got := servers["mysql-0"].executed; len(got) != 0 {
		t.Errorf("the old primary ran %q, want nothing: it was never fenced", got)
	}
	if got := servers["mysql-0"].fences; !slices.Equal(got, []string{"unfence"}) {
		t.Errorf("mysql-0's fence commands %q, want a marker that may have been written removed", got)
	}
	if data := recordData(t, c); data[StateKeyPrimary] != "mysql-0" || data[stateKeyChange] != "" {
		t.Errorf("record %v, want mysql-0 and no change under way", data)
	}
}

// A role change under way (another command at work) is refused, and
// nothing changes.
func TestRoleCommandsRefuseAChangeUnderWay(t *testing.T) {
	in := Intent{Command: "switchover", From: "mysql-0", To: "mysql-1", Started: testNow.Add(-time.Second), Until: testNow.Add(time.Minute)}
	servers := healthyServers(3)
	c := newTestCluster(t, withRecord(3, map[string]string{StateKeyPrimary: "mysql-0", stateKeyChange: intentJSON(t, in)}), servers)
	ctx := context.Background()
	if _, err := c.Switchover(ctx, SwitchoverOptions{To: "mysql-2"}); err == nil || !strings.Contains(err.Error(), "is under way") {
		t.Errorf("switchover during another: %v", err)
	}
	servers["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-2"}); err == nil || !strings.Contains(err.Error(), "is under way") {
		t.Errorf("promote during a switchover: %v", err)
	}
	for name, s := range servers {
		if len(s.executed) > 0 || len(s.fences) > 0 {
			t.Errorf("%s changed: %q %q", name, s.executed, s.fences)
		}
	}
}

// An interrupted switchover whose target took writes is finished by the
// next switchover: the record and the Service move, the others follow.
func TestSwitchoverFinishesAnInterruptedOne(t *testing.T) {
	in := Intent{Command: "switchover", From: "mysql-0", To: "mysql-1", Started: testNow.Add(-time.Hour), Until: testNow.Add(-time.Minute)}
	servers := healthyServers(3)
	fenced := mariadbReplica(0, "0-100-42")
	fenced.Replica = nil // fenced, not yet repointed
	servers["mysql-0"].reports = []*sql.InstanceReport{fenced}
	promoted := mariadbPrimary()
	promoted.Name, promoted.ServerID = "mysql-1", 101
	servers["mysql-1"].reports = []*sql.InstanceReport{promoted}
	c := newTestCluster(t, withRecord(3, map[string]string{StateKeyPrimary: "mysql-0", stateKeyChange: intentJSON(t, in)}), servers)
	change, err := c.Switchover(context.Background(), SwitchoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if change.To != "mysql-1" || !slices.Contains(change.Repointed, "mysql-0") || !slices.Contains(change.Repointed, "mysql-2") {
		t.Errorf("change %+v", change)
	}
	if data := recordData(t, c); data[StateKeyPrimary] != "mysql-1" || data[stateKeyChange] != "" {
		t.Errorf("record %v, want mysql-1 and no change under way", data)
	}
}

// An interrupted switchover that left nobody writable is undone: the old
// primary gets its writes back (marker first), then the asked switchover runs.
func TestSwitchoverUndoesAnInterruptedOne(t *testing.T) {
	in := Intent{Command: "switchover", From: "mysql-0", To: "mysql-1", Started: testNow.Add(-time.Hour), Until: testNow.Add(-time.Minute)}
	servers := healthyServers(3)
	fenced := mariadbReplica(0, "0-100-42")
	fenced.Replica = nil
	servers["mysql-0"].reports = []*sql.InstanceReport{fenced, mariadbPrimary()}
	c := newTestCluster(t, withRecord(3, map[string]string{StateKeyPrimary: "mysql-0", stateKeyChange: intentJSON(t, in)}), servers)
	if _, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"}); err != nil {
		t.Fatal(err)
	}
	if got := servers["mysql-0"].fences; !slices.Equal(got, []string{"unfence", "fence"}) {
		t.Errorf("mysql-0's fence commands %q, want the undo's unfence, then the new switchover's fence", got)
	}
	if got := servers["mysql-0"].executed; len(got) < 2 || got[0] != "SET GLOBAL read_only = OFF" || got[1] != "SET GLOBAL read_only = ON" {
		t.Errorf("mysql-0 ran %q, want its writes back, then the new fence", got)
	}
	if data := recordData(t, c); data[StateKeyPrimary] != "mysql-2" || data[stateKeyChange] != "" {
		t.Errorf("record %v, want mysql-2", data)
	}
}

// promote refuses while the old primary's pod is Ready (its server not
// answering: a slow probe, a restarted sidecar), and with --force fences
// what it can reach before the new primary takes writes.
func TestPromoteFencesAndRefusesALiveOldPrimary(t *testing.T) {
	ctx := context.Background()
	servers := healthyServers(3)
	writable := mariadbPrimary()
	servers["mysql-0"].reports = []*sql.InstanceReport{writable}
	c := newTestCluster(t, clusterObjects(3, 1, 2), servers) // mysql-0 not Ready, still writable
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1"}); err == nil || !strings.Contains(err.Error(), "answers as writable") {
		t.Fatalf("promote with a writable old primary: %v", err)
	}
	if len(servers["mysql-1"].executed) != 0 || len(servers["mysql-0"].executed) != 0 {
		t.Errorf("a refused promote changed servers: %q %q", servers["mysql-0"].executed, servers["mysql-1"].executed)
	}
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1", Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := servers["mysql-0"].fences; len(got) == 0 || got[0] != "fence" {
		t.Errorf("mysql-0's fence commands %q, want fence", got)
	}
	if got := servers["mysql-0"].executed; len(got) == 0 || got[0] != "SET GLOBAL read_only = ON" {
		t.Errorf("mysql-0 ran %q, want the fence first", got)
	}

	// An old primary holding a transaction nobody received is fenced and
	// left without a source, for a reclone: pointed at the new primary,
	// MySQL's auto-position would replicate on top of it.
	servers = healthyServers(3)
	ahead := mariadbPrimary()
	ahead.GTID = sql.GTIDState{BinlogPos: "0-100-43", CurrentPos: "0-100-43"}
	servers["mysql-0"].reports = []*sql.InstanceReport{ahead}
	c = newTestCluster(t, clusterObjects(3, 1, 2), servers)
	change, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(servers["mysql-0"].executed, "; "); got != "SET GLOBAL read_only = ON" {
		t.Errorf("the diverged old primary ran %q, want the fence only", got)
	}
	if slices.Contains(change.Repointed, "mysql-0") || !strings.Contains(strings.Join(change.NotRepointed, "\n"),
		"mysql-0 holds transactions mysql-1 lacks (never sent before the promote, lost by --force): it stays read-only, without a source and out of the Services; run mysqlctl reclone mysql-0") {
		t.Errorf("change %+v does not leave mysql-0 for a reclone", change)
	}

	gone := healthyServers(3)
	gone["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
	c = newTestCluster(t, clusterObjects(3), gone) // the pod Ready, its server silent
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1"}); err == nil || !strings.Contains(err.Error(), "its pod is Ready") {
		t.Errorf("promote with a Ready old primary: %v", err)
	}
}

// A delayed replica that received more than the candidate applied (its
// relay log) counts as ahead: promoting the candidate would lose them.
func TestPromoteComparesWhatWasReceived(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
	servers["mysql-1"].reports = []*sql.InstanceReport{mariadbReplica(1, "0-100-40")}
	delayed := mariadbReplica(2, "0-100-40")
	delayed.Replica.GTIDIOPos, delayed.Replica.SQLDelay = "0-100-45", 600
	servers["mysql-2"].reports = []*sql.InstanceReport{delayed}
	c := newTestCluster(t, clusterObjects(3, 1, 2), servers)
	_, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-1"})
	if err == nil || !strings.Contains(err.Error(), "mysql-2 received transactions mysql-1 has not") {
		t.Errorf("promote of the candidate behind a delayed replica: %v", err)
	}
}

// withLostPrimaryAndCandidate makes fresh servers of a cluster whose
// primary mysql-0 is gone and whose mysql-1 reports candidate.
func withLostPrimaryAndCandidate(candidate *sql.InstanceReport) func() map[string]*fakeServer {
	return func() map[string]*fakeServer {
		s := healthyServers(3)
		s["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
		s["mysql-1"].reports = []*sql.InstanceReport{candidate}
		return s
	}
}

// A delayed candidate (MASTER_DELAY) is refused: it would apply what it
// received only after its delay, and lifting the delay drops its relay log.
// Nothing is run on it. --force promotes it as it is.
func TestPromoteRefusesADelayedCandidate(t *testing.T) {
	delayed := mariadbReplica(1, "0-100-42")
	delayed.Replica.SQLDelay = 600
	servers := withLostPrimaryAndCandidate(delayed)
	refused := servers()
	_, err := newTestCluster(t, clusterObjects(3, 1, 2), refused).Promote(context.Background(), PromoteOptions{Pod: "mysql-1"})
	if err == nil || !strings.Contains(err.Error(), "mysql-1 is delayed by 600s on purpose (MASTER_DELAY)") ||
		!strings.Contains(err.Error(), "pass --force") || len(refused["mysql-1"].executed) != 0 {
		t.Errorf("promote of a delayed replica: %v; ran %q", err, refused["mysql-1"].executed)
	}
	forced := servers()
	if _, err := newTestCluster(t, clusterObjects(3, 1, 2), forced).Promote(context.Background(), PromoteOptions{Pod: "mysql-1", Force: true}); err != nil ||
		!strings.Contains(strings.Join(forced["mysql-1"].executed, "\n"), "SET GLOBAL read_only = OFF") {
		t.Errorf("promote --force of a delayed replica: %v; ran %q", err, forced["mysql-1"].executed)
	}
}

// A candidate whose applier stopped with transactions still in its relay
// log is refused: making it the primary would reset them away, though they
// counted as its own. Forced, it is promoted as it is.
func TestPromoteRefusesACandidateWithAStoppedApplier(t *testing.T) {
	stopped := mariadbReplica(1, "0-100-40")
	stopped.Replica.SQLThread, stopped.Replica.ExecSourceLogPos, stopped.Replica.GTIDIOPos = "No", 4000, "0-100-42"
	stopped.Replica.LastSQLError = &sql.ThreadError{Errno: 1062, Message: "Duplicate entry '7' for key 'PRIMARY'"}
	servers := withLostPrimaryAndCandidate(stopped)
	refused := servers()
	_, err := newTestCluster(t, clusterObjects(3, 1, 2), refused).Promote(context.Background(), PromoteOptions{Pod: "mysql-1"})
	if err == nil || !strings.Contains(err.Error(), "mysql-1's applier is stopped on error 1062") ||
		!strings.Contains(err.Error(), "(up to mysql-bin.000002:5120, applied to mysql-bin.000002:4000)") || len(refused["mysql-1"].executed) != 0 {
		t.Errorf("promote of a replica with a stopped applier: %v; ran %q", err, refused["mysql-1"].executed)
	}
	forced := servers()
	if _, err := newTestCluster(t, clusterObjects(3, 1, 2), forced).Promote(context.Background(), PromoteOptions{Pod: "mysql-1", Force: true}); err != nil {
		t.Errorf("promote --force of a replica with a stopped applier: %v", err)
	}
}

// --adopt records the one writable server when the record is gone, and
// refuses any other.
func TestPromoteAdopt(t *testing.T) {
	ctx := context.Background()
	servers := healthyServers(3)
	objs := clusterObjects(3)
	objs = slices.DeleteFunc(objs, func(o runtime.Object) bool {
		cm, ok := o.(*corev1.ConfigMap)
		return ok && cm.Name == manifest.StateConfigMapName("mysql")
	})
	c := newTestCluster(t, objs, servers)
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-1", Adopt: true}); err == nil || !strings.Contains(err.Error(), "the writable servers are mysql-0") {
		t.Errorf("adopt of a replica: %v", err)
	}
	if _, err := c.Promote(ctx, PromoteOptions{Pod: "mysql-0", Adopt: true}); err != nil {
		t.Fatal(err)
	}
	if data := recordData(t, c); data[StateKeyPrimary] != "mysql-0" {
		t.Errorf("record %v, want mysql-0", data)
	}
	if len(servers["mysql-0"].executed) != 0 {
		t.Errorf("adopt changed the primary's server: %q", servers["mysql-0"].executed)
	}
}

// down --name mysql-read in a namespace of cluster mysql would find
// cluster mysql's read Service under its own headless name: refused, and
// nothing of cluster mysql is deleted.
func TestDownRefusesAnotherClustersObjects(t *testing.T) {
	ctx := context.Background()
	c := newTestCluster(t, clusterObjects(3), healthyServers(3))
	other := New(c.api, "mysql-read", Options{})
	_, err := other.Down(ctx, DownOptions{Purge: true})
	var invalid *manifest.InvalidSpecError
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "belongs to cluster mysql") {
		t.Fatalf("down --name mysql-read: %v, want a refusal", err)
	}
	if found, err := c.api.Exists(ctx, kube.KindService, "mysql-read"); err != nil || !found {
		t.Errorf("cluster mysql's read Service: found %v, %v", found, err)
	}
}

// The recorded primary left read-only with nobody writable (a fence whose
// undo failed) gets its writes back from promote of itself, marker first;
// while another server is writable, promoting the recorded primary is
// refused.
func TestPromoteReopensAFencedRecordedPrimary(t *testing.T) {
	servers := healthyServers(3)
	fenced := mariadbReplica(0, "0-100-42")
	fenced.Replica = nil
	servers["mysql-0"].reports = []*sql.InstanceReport{fenced}
	c := newTestCluster(t, clusterObjects(3), servers)
	if _, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-0"}); err != nil {
		t.Fatal(err)
	}
	if got := servers["mysql-0"].fences; !slices.Equal(got, []string{"unfence"}) {
		t.Errorf("mysql-0's fence commands %q, want [unfence]", got)
	}
	if got := strings.Join(servers["mysql-0"].executed, "; "); got != "SET GLOBAL read_only = OFF" {
		t.Errorf("mysql-0 ran %q", got)
	}
	c = newTestCluster(t, clusterObjects(3), healthyServers(3))
	if _, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-0"}); err == nil || !strings.Contains(err.Error(), "is the recorded primary already") {
		t.Errorf("promote of a healthy recorded primary: %v", err)
	}
}

// A switchover that cannot reach the old primary's sidecar at all changes
// no server and leaves no intent behind: the pods and the next command are
// not held up by a change nobody works on.
func TestSwitchoverLeavesNoIntentWhenTheSidecarIsAway(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-0"].podGone = true
	c := newTestCluster(t, clusterObjects(3), servers)
	_, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"})
	if err == nil || !strings.Contains(err.Error(), "may carry a fence marker") || !strings.Contains(err.Error(), "mysqlctl promote mysql-0") {
		t.Fatalf("err %v", err)
	}
	if data := recordData(t, c); data[StateKeyPrimary] != "mysql-0" || data[stateKeyChange] != "" {
		t.Errorf("record %v, want mysql-0 and no change under way", data)
	}
	if len(servers["mysql-0"].executed) != 0 || len(servers["mysql-2"].executed) != 0 {
		t.Errorf("servers changed: %q %q", servers["mysql-0"].executed, servers["mysql-2"].executed)
	}
}
