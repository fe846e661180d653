package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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
		{"its old claim still being deleted (reclone)", pod("mysql-2", unschedulable(`persistentvolumeclaim "data-mysql-2" is being deleted`)), "", nil},
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

func event(podName, reason, msg string, at int, count int32) corev1.Event {
	return corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: podName + "." + reason, Namespace: testNS},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: podName, Namespace: testNS},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: msg, Count: count,
		LastTimestamp: metav1.NewTime(time.Unix(int64(at), 0)),
	}
}

func TestLastEventsPicksNewestOfThisPod(t *testing.T) {
	p := pod("mysql-1", corev1.PodStatus{})
	p.UID = "new"
	old := event("mysql-1", "Old", "from a previous pod", 9, 1)
	old.InvolvedObject.UID = "old"
	events := []corev1.Event{
		event("mysql-1", "E4", "", 4, 1), event("mysql-1", "E1", "", 1, 1), event("mysql-0", "Other", "", 5, 1),
		event("mysql-1", "E3", "", 3, 1), event("mysql-1", "E2", "", 2, 1), old,
	}
	var got []string
	for _, e := range LastEvents(events, p, 3) {
		got = append(got, e.Reason)
	}
	if want := []string{"E2", "E3", "E4"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDescribePod(t *testing.T) {
	st := crashLooping()
	st.InitContainerStatuses = nil
	p := pod("mysql-0", st)
	p.Spec.InitContainers = nil
	events := []corev1.Event{
		event("mysql-0", "Pulled", "Container image already present", 1, 1),
		event("mysql-0", "BackOff", "Back-off restarting failed container", 2, 5),
	}
	got := DescribePod(p, events)
	want := []string{
		"mysql-0: starting: CrashLoopBackOff (container mysql): back-off 40s restarting failed container=mysql [3 restarts] (phase Pending)",
		"container mysql: waiting: CrashLoopBackOff: back-off 40s restarting failed container=mysql",
		"container mysql: restarted 3 times, last exit: Error: exit code 1",
		"event: Warning Pulled: Container image already present",
		"event: Warning BackOff (x5): Back-off restarting failed container",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestDescribePodPendingInit(t *testing.T) {
	p := pod("mysql-1", unschedulable("0/1 nodes are available: 1 Insufficient cpu."))
	got := DescribePod(p, nil)
	want := []string{
		"mysql-1: pending: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu. (phase Pending)",
		"init container clone-from-primary: not started",
		"container mysql: not started",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// logsTail feeds PodError.Logs; the fake clientset always answers "fake logs".
func TestLogsTail(t *testing.T) {
	c, _ := newTestClient(t, pod("mysql-0", corev1.PodStatus{}))
	lines, err := c.logsTail(context.Background(), "mysql-0", "mysql", 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lines, []string{"fake logs"}) {
		t.Errorf("lines = %q", lines)
	}
}
