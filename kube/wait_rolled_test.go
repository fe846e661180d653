package kube

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A rollout held at a partition is done when the pods from it up run the
// update revision and are Ready; the pods below are not waited for.
func TestNotRolled(t *testing.T) {
	pod := func(name, rev string, ready bool) *corev1.Pod {
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{appsv1.ControllerRevisionHashLabelKey: rev}},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}}}
	}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "mysql", Generation: 2},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 2, UpdateRevision: "new", CurrentRevision: "old"}}
	for _, tc := range []struct {
		name string
		pods map[int]*corev1.Pod
		want string
	}{
		{"done above the partition", map[int]*corev1.Pod{0: pod("mysql-0", "old", true), 1: pod("mysql-1", "new", true), 2: pod("mysql-2", "new", true)}, ""},
		{"the highest not updated", map[int]*corev1.Pod{0: pod("mysql-0", "old", true), 1: pod("mysql-1", "old", true), 2: pod("mysql-2", "old", true)}, "mysql-2: not updated"},
		{"updated, not ready", map[int]*corev1.Pod{0: pod("mysql-0", "old", true), 1: pod("mysql-1", "new", false), 2: pod("mysql-2", "new", true)}, "mysql-1: updated, not ready"},
		{"a pod missing", map[int]*corev1.Pod{0: pod("mysql-0", "old", true), 1: pod("mysql-1", "new", true)}, "mysql-2: not created"},
	} {
		if got := notRolled(sts, tc.pods, 3, 1); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
