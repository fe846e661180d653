package kube

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestProgressOf(t *testing.T) {
	running := waitingStatus(true, "", "")
	running.InitContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	starting := readyStatus()
	starting.Conditions[1].Status = corev1.ConditionFalse
	starting.ContainerStatuses[0].Ready = false
	terminating := pod("mysql-0", readyStatus())
	terminating.DeletionTimestamp = &metav1.Time{}
	evicted := corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted", Message: "low on memory"}
	for _, tc := range []struct {
		name string
		pod  *corev1.Pod
		want string
	}{
		{"no status yet", pod("mysql-0", corev1.PodStatus{}), "mysql-0: pending"},
		{"unschedulable", pod("mysql-0", unschedulable("0/1 nodes are available")), "mysql-0: pending: Unschedulable: 0/1 nodes are available"},
		{"scheduled, kubelet silent", pod("mysql-0", corev1.PodStatus{Conditions: []corev1.PodCondition{cond(corev1.PodScheduled, corev1.ConditionTrue, "", "")}}), "mysql-0: scheduled"},
		{"init running", pod("mysql-1", running), "mysql-1: initializing (clone-from-primary)"},
		{"init image problem", pod("mysql-1", waitingStatus(true, "ImagePullBackOff", "back-off")), "mysql-1: initializing (clone-from-primary): ImagePullBackOff: back-off"},
		{"main being created", pod("mysql-0", waitingStatus(false, "ContainerCreating", "")), "mysql-0: scheduled: ContainerCreating (container mysql)"},
		{"crash loop", pod("mysql-0", crashLooping()), "mysql-0: starting: CrashLoopBackOff (container mysql): back-off 40s restarting failed container=mysql [3 restarts]"},
		{"running not ready", pod("mysql-0", starting), "mysql-0: starting"},
		{"ready", pod("mysql-0", readyStatus()), "mysql-0: ready"},
		{"terminating", terminating, "mysql-0: terminating"},
		{"evicted", pod("mysql-0", evicted), "mysql-0: failed: Evicted: low on memory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ProgressOf(tc.pod).String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestProgressInitContainer(t *testing.T) {
	running := waitingStatus(true, "", "")
	running.InitContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	p := ProgressOf(pod("mysql-1", running))
	if p.Stage != StageInitializing || p.InitContainer != "clone-from-primary" || p.Reason != "" {
		t.Errorf("got %+v, want initializing in clone-from-primary without a reason", p)
	}
}

// A native sidecar (init container with restartPolicy Always) counts as
// done once started, or pods with one would never leave "initializing".
func TestProgressSidecarInitContainer(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	started := true
	p := pod("mysql-0", readyStatus())
	p.Status.Conditions[1].Status = corev1.ConditionFalse
	p.Spec.InitContainers[0].RestartPolicy = &always
	p.Status.InitContainerStatuses[0] = corev1.ContainerStatus{Name: "clone-from-primary", Started: &started,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	if got := ProgressOf(p); got.Stage != StageStarting {
		t.Errorf("got %v, want starting", got)
	}
}
