package cluster

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A cordoned node under the recorded primary warns, naming the budget the
// drain waits on and what hands the writes over; status reads the node.
func TestCheckPrimaryNodeCordoned(t *testing.T) {
	for _, tc := range []struct {
		name     string
		node     *corev1.Node
		verdict  Verdict
		contains string
	}{
		{"cordoned", &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}, Spec: corev1.NodeSpec{Unschedulable: true}}, Warn,
			"the primary mysql-0 runs on node node-1, which is cordoned (a drain?): evictions of the primary wait on PodDisruptionBudget mysql-primary; run mysqlctl switchover"},
		{"schedulable", &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}, Pass, "node node-1, which is not cordoned"},
		{"node unreadable", nil, Pass, "node node-1, whose state could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := clusterObjects(3)
			if tc.node != nil {
				objs = append(objs, tc.node)
			}
			report, err := newTestCluster(t, objs, healthyServers(3)).Check(context.Background(), CheckOptions{MaxLag: DefaultMaxLag})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range report.Checks {
				if c.Name == CheckPrimaryNode && (c.Verdict != tc.verdict || !strings.Contains(c.Detail, tc.contains)) {
					t.Errorf("%s: %s %q, want %s containing %q", c.Name, c.Verdict, c.Detail, tc.verdict, tc.contains)
				}
			}
		})
	}
}

// A single server has no replica to hand its writes to: the warning says
// so instead of naming switchover.
func TestCheckPrimaryNodeSingleServer(t *testing.T) {
	cordoned := true
	r := &StatusReport{Cluster: ClusterSummary{Name: "mysql", RecordedPrimary: "mysql-0", PrimaryNode: "n", PrimaryNodeCordoned: &cordoned, Pods: 1}}
	if got := checkPrimaryNode(r); got.Verdict != Warn || !strings.Contains(got.Detail, "scale to 2 servers and switch over") {
		t.Errorf("single server on a cordoned node: %s %q", got.Verdict, got.Detail)
	}
	if got := checkPrimaryNode(&StatusReport{}); got.Verdict != Pass {
		t.Errorf("no primary: %s %q", got.Verdict, got.Detail)
	}
}
