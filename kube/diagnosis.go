package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

// PodError explains a pod that will not become ready without someone
// acting: its image cannot be pulled, a container keeps crashing, or no node
// can take it. errors.Is(err, ErrPodFailed) matches it.
type PodError struct {
	Pod       string
	Container string // empty for Unschedulable
	Image     string // set for image problems
	Reason    string // ImagePullBackOff, ErrImagePull, ErrImageNeverPull, InvalidImageName, CrashLoopBackOff, Unschedulable
	Message   string
	// Logs are the crashing container's last lines (CrashLoopBackOff only),
	// filled by the wait, which can reach the API.
	Logs []string
	// Events are the pod's last events, one line each, filled by the wait.
	Events []string
}

// Unwrap makes errors.Is(err, ErrPodFailed) true.
func (e *PodError) Unwrap() error { return ErrPodFailed }

// Error is a sentence naming the pod and cause, then any logs and events
// on indented lines.
func (e *PodError) Error() string {
	var b strings.Builder
	switch e.Reason {
	case "CrashLoopBackOff":
		fmt.Fprintf(&b, "container %s in pod %s keeps crashing (CrashLoopBackOff", e.Container, e.Pod)
		if e.Message != "" {
			fmt.Fprintf(&b, ", last exit: %s", e.Message)
		}
		b.WriteString(")")
	case "Unschedulable":
		fmt.Fprintf(&b, "pod %s cannot be scheduled: %s", e.Pod, e.Message)
	default:
		fmt.Fprintf(&b, "pod %s cannot get image %q for container %s (%s)", e.Pod, e.Image, e.Container, e.Reason)
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
	}
	writeSection(&b, "last log lines of "+e.Container, e.Logs)
	writeSection(&b, "last events", e.Events)
	return b.String()
}

func writeSection(b *strings.Builder, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\n  %s:", title)
	for _, l := range lines {
		fmt.Fprintf(b, "\n    %s", l)
	}
}

// FindProblem returns the first condition of pod that will not fix itself,
// or nil. It is a pure function of the pod so it is tested without a cluster.
//
// Unschedulable is a problem except while the pod waits for a volume a
// provisioner is still creating ("unbound immediate PersistentVolumeClaims"),
// which resolves by itself seconds later.
func FindProblem(pod *corev1.Pod) *PodError {
	if pod.DeletionTimestamp != nil {
		return nil
	}
	for _, cs := range allStatuses(pod) {
		w := cs.State.Waiting
		if w == nil {
			continue
		}
		switch w.Reason {
		case "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName":
			return &PodError{Pod: pod.Name, Container: cs.Name, Image: imageOf(pod, cs.Name), Reason: w.Reason, Message: w.Message}
		case "CrashLoopBackOff":
			return &PodError{Pod: pod.Name, Container: cs.Name, Reason: w.Reason, Message: lastExit(cs)}
		}
	}
	c := podCondition(pod, corev1.PodScheduled)
	if c != nil && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable && !waitingForVolume(c.Message) {
		return &PodError{Pod: pod.Name, Reason: c.Reason, Message: c.Message}
	}
	return nil
}

// lastExit words a container's last termination: "Error, exit code 1".
func lastExit(cs corev1.ContainerStatus) string {
	t := cs.LastTerminationState.Terminated
	if t == nil {
		return ""
	}
	if t.Reason == "" {
		return fmt.Sprintf("exit code %d", t.ExitCode)
	}
	return fmt.Sprintf("%s, exit code %d", t.Reason, t.ExitCode)
}

// waitingForVolume recognises the scheduler's transient volume messages.
func waitingForVolume(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "unbound immediate persistentvolumeclaims") ||
		(strings.Contains(m, "persistentvolumeclaim") && strings.Contains(m, "not found")) ||
		// a claim deleted under a StatefulSet pod (reclone): the
		// controller makes a new one once it is gone
		(strings.Contains(m, "persistentvolumeclaim") && strings.Contains(m, "is being deleted"))
}

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

// diagnosisTimeout bounds the API calls that gather logs and events for an
// error message, so explaining a failure cannot hang.
const diagnosisTimeout = 5 * time.Second

// crashLogLines is how much of a crashing container's log a PodError shows.
const crashLogLines = 10

// diagnosisContext is ctx bounded by diagnosisTimeout, or a fresh bounded
// context when ctx's deadline already passed (the timeout report still
// needs a few calls), but never one that outlives a Ctrl-C.
func diagnosisContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		ctx = context.WithoutCancel(ctx)
	}
	return context.WithTimeout(ctx, diagnosisTimeout)
}

// enrich adds the pod's last events, and for a crash loop the container's
// last log lines, to p. Failures to fetch them are left out: p alone
// already names the problem.
func (c *Client) enrich(ctx context.Context, pod *corev1.Pod, p *PodError) *PodError {
	dctx, cancel := diagnosisContext(ctx)
	defer cancel()
	if events, err := c.podEvents(dctx, pod.Name); err == nil {
		for _, e := range LastEvents(events, pod, eventsPerPod) {
			p.Events = append(p.Events, EventLine(e))
		}
	}
	if p.Reason == "CrashLoopBackOff" {
		p.Logs = c.crashLogs(dctx, pod.Name, p.Container)
	}
	return p
}

// crashLogs reads the last instance's log (the one that crashed), falling
// back to the current one when there is no previous instance.
func (c *Client) crashLogs(ctx context.Context, pod, container string) []string {
	lines, err := c.logsTail(ctx, pod, container, crashLogLines, true)
	if err != nil || len(lines) == 0 {
		lines, _ = c.logsTail(ctx, pod, container, crashLogLines, false)
	}
	return lines
}

// podEvents lists the events about pod name in c.Namespace. The field
// selector keeps the answer small; LastEvents filters again for fakes that
// ignore it.
func (c *Client) podEvents(ctx context.Context, name string) ([]corev1.Event, error) {
	sel := fields.Set{"involvedObject.name": name, "involvedObject.kind": "Pod"}.AsSelector().String()
	list, err := c.clientset.CoreV1().Events(c.namespace).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("list events of pod %s/%s: %w", c.namespace, name, err)
	}
	return list.Items, nil
}

// maxLogBytes bounds a log tail so a container logging huge lines cannot
// flood an error message.
const maxLogBytes = 64 << 10

// logsTail returns the last lines of a container's log; previous selects
// the last terminated instance, the one that crashed.
func (c *Client) logsTail(ctx context.Context, pod, container string, lines int64, previous bool) ([]string, error) {
	limit := int64(maxLogBytes)
	opts := &corev1.PodLogOptions{Container: container, TailLines: &lines, Previous: previous, LimitBytes: &limit}
	raw, err := c.clientset.CoreV1().Pods(c.namespace).GetLogs(pod, opts).DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("get logs of container %s in pod %s/%s: %w", container, c.namespace, pod, err)
	}
	text := strings.TrimRight(string(raw), "\n")
	if text == "" {
		return nil, nil
	}
	return strings.Split(text, "\n"), nil
}
