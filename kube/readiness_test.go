package kube

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// doneStatus is the status of a StatefulSet at n ready, updated replicas.
func doneStatus(n int32) appsv1.StatefulSetStatus {
	return appsv1.StatefulSetStatus{Replicas: n, ReadyReplicas: n, UpdatedReplicas: n, CurrentReplicas: n,
		CurrentRevision: "r1", UpdateRevision: "r1", ObservedGeneration: 1}
}

func TestNotReady(t *testing.T) {
	readyPods := map[int]*corev1.Pod{0: pod("mysql-0", readyStatus()), 1: pod("mysql-1", readyStatus())}
	onePending := map[int]*corev1.Pod{0: readyPods[0], 1: pod("mysql-1", corev1.PodStatus{})}
	for _, tc := range []struct {
		name   string
		status func(*appsv1.StatefulSetStatus)
		gen    int64
		pods   map[int]*corev1.Pod
		want   string
	}{
		{"done", nil, 1, readyPods, ""},
		{"new generation unseen", nil, 2, readyPods, "waiting for the StatefulSet controller to see generation 2"},
		{"a pod pending", nil, 1, onePending, "1/2 pods ready"},
		{"a pod missing", nil, 1, map[int]*corev1.Pod{0: readyPods[0]}, "1/2 pods ready"},
		{"status lags", func(s *appsv1.StatefulSetStatus) { s.ReadyReplicas = 1 }, 1, readyPods, "StatefulSet status shows 1/2 pods ready"},
		{"extra pod left", func(s *appsv1.StatefulSetStatus) { s.Replicas = 3 }, 1, readyPods, "3 pods exist, want 2"},
		{"roll-out running", func(s *appsv1.StatefulSetStatus) { s.UpdatedReplicas = 1; s.UpdateRevision = "r2" }, 1, readyPods, "rolling update: 1/2 pods updated"},
		{"revision not switched", func(s *appsv1.StatefulSetStatus) { s.UpdateRevision = "r2" }, 1, readyPods, "rolling update to revision r2 not finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := statefulSet(2)
			sts.Generation = tc.gen
			sts.Status = doneStatus(2)
			if tc.status != nil {
				tc.status(&sts.Status)
			}
			if got := notReady(sts, tc.pods, 2); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStsPodsIgnoresOtherNames(t *testing.T) {
	got := stsPods("mysql", []*corev1.Pod{pod("mysql-0", corev1.PodStatus{}), pod("mysql-backup-0", corev1.PodStatus{}), pod("other-1", corev1.PodStatus{})})
	if len(got) != 1 || got[0] == nil || got[0].Name != "mysql-0" {
		t.Errorf("got %v, want only mysql-0", got)
	}
}
