package kube

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func crashLooping() corev1.PodStatus {
	st := waitingStatus(false, "CrashLoopBackOff", "back-off 40s restarting failed container=mysql")
	st.ContainerStatuses[0].RestartCount = 3
	st.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1}
	return st
}

func unschedulable(msg string) corev1.PodStatus {
	return corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{
		cond(corev1.PodScheduled, corev1.ConditionFalse, corev1.PodReasonUnschedulable, msg)}}
}

func TestFindProblem(t *testing.T) {
	deleting := pod("mysql-0", crashLooping())
	deleting.DeletionTimestamp = &metav1.Time{}
	for _, tc := range []struct {
		name   string
		pod    *corev1.Pod
		reason string   // "" means healthy
		want   []string // substrings of Error()
	}{
		{"healthy", pod("mysql-0", readyStatus()), "", nil},
		{"creating", pod("mysql-0", waitingStatus(false, "ContainerCreating", "")), "", nil},
		{"image pull back-off", pod("mysql-0", waitingStatus(false, "ImagePullBackOff", `Back-off pulling image "mysql:8.4"`)),
			"ImagePullBackOff", []string{"pod mysql-0", `image "mysql:8.4"`, "container mysql", "ImagePullBackOff", "Back-off pulling"}},
		{"init container image", pod("mysql-1", waitingStatus(true, "ErrImagePull", "manifest unknown")),
			"ErrImagePull", []string{`image "mysqlctl/clone:1"`, "container clone-from-primary", "manifest unknown"}},
		{"never pull", pod("mysql-0", waitingStatus(false, "ErrImageNeverPull", `Container image "mysql:8.4" is not present with pull policy of Never`)),
			"ErrImageNeverPull", []string{"pull policy of Never"}},
		{"invalid name", pod("mysql-0", waitingStatus(false, "InvalidImageName", "couldn't parse image name")),
			"InvalidImageName", []string{"couldn't parse"}},
		{"crash loop", pod("mysql-2", crashLooping()),
			"CrashLoopBackOff", []string{"container mysql in pod mysql-2 keeps crashing", "last exit: Error, exit code 1"}},
		{"unschedulable", pod("mysql-0", unschedulable("0/3 nodes are available: 3 Insufficient memory.")),
			"Unschedulable", []string{"pod mysql-0 cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory."}},
		{"waiting for a provisioned volume", pod("mysql-0", unschedulable("0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.")), "", nil},
		{"being deleted", deleting, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := FindProblem(tc.pod)
			if tc.reason == "" {
				if p != nil {
					t.Fatalf("got %v, want no problem", p)
				}
				return
			}
			if p == nil || p.Reason != tc.reason {
				t.Fatalf("got %+v, want reason %s", p, tc.reason)
			}
			var err error = p
			if !errors.Is(err, ErrPodFailed) {
				t.Error("errors.Is(ErrPodFailed) = false")
			}
			for _, s := range tc.want {
				if !strings.Contains(p.Error(), s) {
					t.Errorf("Error() = %q, missing %q", p.Error(), s)
				}
			}
		})
	}
}

func TestPodErrorShowsLogsAndEvents(t *testing.T) {
	p := &PodError{Pod: "mysql-0", Container: "mysql", Reason: "CrashLoopBackOff", Message: "Error, exit code 1",
		Logs: []string{"[ERROR] InnoDB: cannot allocate memory"}, Events: []string{"Warning BackOff (x5): Back-off restarting"}}
	want := "container mysql in pod mysql-0 keeps crashing (CrashLoopBackOff, last exit: Error, exit code 1)\n" +
		"  last log lines of mysql:\n    [ERROR] InnoDB: cannot allocate memory\n" +
		"  last events:\n    Warning BackOff (x5): Back-off restarting"
	if p.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", p.Error(), want)
	}
}
