package kube

import (
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// eventsPerPod is how many of a pod's most recent events a diagnosis shows.
const eventsPerPod = 3

// DescribePod explains why a pod is not ready, for a timeout report: a
// summary line (its progress), one line per container that is not running
// or has restarted, and its last events. It is a pure function of the pod
// and events (events of other objects are ignored).
func DescribePod(pod *corev1.Pod, events []corev1.Event) []string {
	lines := []string{fmt.Sprintf("%s (phase %s)", ProgressOf(pod), phaseOf(pod))}
	for _, c := range pod.Spec.InitContainers {
		if st := containerStatus(pod.Status.InitContainerStatuses, c.Name); st == nil || !initDone(c, *st) {
			lines = append(lines, containerLines("init container", c.Name, st)...)
		}
	}
	for _, c := range pod.Spec.Containers {
		st := containerStatus(pod.Status.ContainerStatuses, c.Name)
		if st == nil || !st.Ready || st.RestartCount > 0 {
			lines = append(lines, containerLines("container", c.Name, st)...)
		}
	}
	for _, e := range LastEvents(events, pod, eventsPerPod) {
		lines = append(lines, "event: "+EventLine(e))
	}
	return lines
}

func phaseOf(pod *corev1.Pod) corev1.PodPhase {
	if pod.Status.Phase == "" {
		return corev1.PodPending
	}
	return pod.Status.Phase
}

// containerLines words one container's current and last state.
func containerLines(what, name string, st *corev1.ContainerStatus) []string {
	prefix := fmt.Sprintf("%s %s: ", what, name)
	if st == nil {
		return []string{prefix + "not started"}
	}
	var lines []string
	switch s := st.State; {
	case s.Waiting != nil:
		lines = append(lines, prefix+joinNonEmpty("waiting", s.Waiting.Reason, s.Waiting.Message))
	case s.Running != nil && !st.Ready:
		lines = append(lines, prefix+"running, not ready")
	case s.Running != nil:
		lines = append(lines, prefix+"running")
	case s.Terminated != nil:
		lines = append(lines, prefix+joinNonEmpty("terminated", s.Terminated.Reason, fmt.Sprintf("exit code %d", s.Terminated.ExitCode)))
	}
	if t := st.LastTerminationState.Terminated; t != nil {
		lines = append(lines, prefix+fmt.Sprintf("restarted %d times, last exit: %s",
			st.RestartCount, joinNonEmpty(t.Reason, fmt.Sprintf("exit code %d", t.ExitCode))))
	}
	return lines
}

func joinNonEmpty(parts ...string) string {
	s := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if s != "" {
			s += ": "
		}
		s += p
	}
	return s
}

// LastEvents returns pod's n most recent events, oldest first. Events of an
// earlier pod with the same name (a StatefulSet reuses names) are skipped
// when the UIDs are known.
func LastEvents(events []corev1.Event, pod *corev1.Pod, n int) []corev1.Event {
	var mine []corev1.Event
	for _, e := range events {
		o := e.InvolvedObject
		if o.Name != pod.Name || (o.Kind != "" && o.Kind != "Pod") ||
			(o.UID != "" && pod.UID != "" && o.UID != pod.UID) {
			continue
		}
		mine = append(mine, e)
	}
	slices.SortStableFunc(mine, func(a, b corev1.Event) int { return eventTime(a).Compare(eventTime(b)) })
	if len(mine) > n {
		mine = mine[len(mine)-n:]
	}
	return mine
}

// eventTime is when an event last happened; which field holds it depends on
// the reporter (core/v1 vs events.k8s.io series).
func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// EventLine renders "Warning FailedScheduling (x4): 0/1 nodes are available: ...".
func EventLine(e corev1.Event) string {
	count := ""
	if e.Count > 1 {
		count = fmt.Sprintf(" (x%d)", e.Count)
	}
	return fmt.Sprintf("%s %s%s: %s", e.Type, e.Reason, count, e.Message)
}
