package kube

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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
