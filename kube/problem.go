package kube

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
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
		(strings.Contains(m, "persistentvolumeclaim") && strings.Contains(m, "not found"))
}
