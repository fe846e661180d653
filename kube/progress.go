package kube

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Stage is where a pod is on its way to ready.
type Stage string

// Stages in the order a healthy pod passes them, then the exits.
const (
	StagePending      Stage = "pending"      // accepted, not on a node yet
	StageScheduled    Stage = "scheduled"    // on a node; kubelet is preparing it
	StageInitializing Stage = "initializing" // an init container runs: see PodProgress.InitContainer
	StageStarting     Stage = "starting"     // containers created, not all ready
	StageReady        Stage = "ready"
	StageTerminating  Stage = "terminating"
	StageFailed       Stage = "failed" // phase Failed, e.g. evicted; the StatefulSet replaces it
)

// PodProgress is one pod's state for a progress line. It is computed from
// the pod alone by ProgressOf, so equal values mean nothing visible changed.
type PodProgress struct {
	Pod   string
	Stage Stage
	// InitContainer is the init container running or about to run when Stage
	// is StageInitializing, so callers can word it (mysqlctl's "clone" reads
	// "cloning data from a peer").
	InitContainer string
	// Container, Reason and Message describe what the pod is waiting on, e.g.
	// "mysql", "CrashLoopBackOff", "back-off 10s restarting failed container".
	Container string
	Reason    string
	Message   string
	Restarts  int32
}

// String renders one line, such as "mysql-1: initializing (clone)" or
// "mysql-0: starting: CrashLoopBackOff (container mysql): back-off 10s ... [2 restarts]".
func (p PodProgress) String() string {
	s := fmt.Sprintf("%s: %s", p.Pod, p.Stage)
	if p.InitContainer != "" {
		s += fmt.Sprintf(" (%s)", p.InitContainer)
	}
	if p.Reason != "" {
		s += ": " + p.Reason
		if p.Container != "" && p.Container != p.InitContainer {
			s += fmt.Sprintf(" (container %s)", p.Container)
		}
	}
	if p.Message != "" {
		s += ": " + p.Message
	}
	if p.Restarts > 0 {
		s += fmt.Sprintf(" [%d restarts]", p.Restarts)
	}
	return s
}

// ProgressOf summarises a pod's status. It is a pure function of the pod.
func ProgressOf(pod *corev1.Pod) PodProgress {
	p := PodProgress{Pod: pod.Name, Restarts: restarts(pod)}
	switch {
	case pod.DeletionTimestamp != nil:
		p.Stage = StageTerminating
	case pod.Status.Phase == corev1.PodFailed:
		p.Stage, p.Reason, p.Message = StageFailed, pod.Status.Reason, pod.Status.Message
	case isPodReady(pod):
		p.Stage = StageReady
	case !isScheduled(pod):
		p.Stage = StagePending
		if c := podCondition(pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
			p.Reason, p.Message = c.Reason, c.Message
		}
	default:
		containerProgress(pod, &p)
	}
	return p
}

// containerProgress fills p for a scheduled pod from its container statuses.
func containerProgress(pod *corev1.Pod, p *PodProgress) {
	if name, st, ok := pendingInit(pod); ok {
		if st == nil { // kubelet has not reported yet
			p.Stage = StageScheduled
			return
		}
		p.Stage, p.InitContainer = StageInitializing, name
		setContainerReason(p, *st)
		return
	}
	p.Stage = StageScheduled
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Running != nil || cs.State.Terminated != nil || cs.RestartCount > 0 {
			p.Stage = StageStarting
		}
		if p.Reason == "" {
			setContainerReason(p, cs)
		}
	}
}

// setContainerReason records why cs is not running, if it is not.
func setContainerReason(p *PodProgress, cs corev1.ContainerStatus) {
	switch {
	case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
		p.Container, p.Reason, p.Message = cs.Name, cs.State.Waiting.Reason, cs.State.Waiting.Message
	case cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0:
		t := cs.State.Terminated
		p.Container, p.Reason, p.Message = cs.Name, t.Reason, fmt.Sprintf("exit code %d", t.ExitCode)
	}
}

// pendingInit returns the first init container that has not finished, with
// its status (nil when kubelet has not reported it yet).
func pendingInit(pod *corev1.Pod) (string, *corev1.ContainerStatus, bool) {
	for _, c := range pod.Spec.InitContainers {
		st := containerStatus(pod.Status.InitContainerStatuses, c.Name)
		if st == nil {
			return c.Name, nil, true
		}
		if !initDone(c, *st) {
			return c.Name, st, true
		}
	}
	return "", nil, false
}

// initDone: a regular init container exited 0; a sidecar (restartPolicy
// Always) has started and keeps running alongside the main containers.
func initDone(c corev1.Container, st corev1.ContainerStatus) bool {
	if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
		return st.Started != nil && *st.Started
	}
	return st.State.Terminated != nil && st.State.Terminated.ExitCode == 0
}

// Small pure accessors over pod status, shared by progress, diagnosis,
// the readiness wait and port-forward.

func podCondition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

// isPodReady: the Ready condition is True and the pod is not going away.
func isPodReady(pod *corev1.Pod) bool {
	c := podCondition(pod, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue && pod.DeletionTimestamp == nil
}

func isScheduled(pod *corev1.Pod) bool {
	if pod.Spec.NodeName != "" {
		return true
	}
	c := podCondition(pod, corev1.PodScheduled)
	return c != nil && c.Status == corev1.ConditionTrue
}

func containerStatus(statuses []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range statuses {
		if statuses[i].Name == name {
			return &statuses[i]
		}
	}
	return nil
}

// allStatuses lists init container statuses first: main containers cannot
// run before them, so an init problem is the one to report.
func allStatuses(pod *corev1.Pod) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(pod.Status.InitContainerStatuses)+len(pod.Status.ContainerStatuses))
	out = append(out, pod.Status.InitContainerStatuses...)
	return append(out, pod.Status.ContainerStatuses...)
}

func restarts(pod *corev1.Pod) int32 {
	var n int32
	for _, cs := range allStatuses(pod) {
		n += cs.RestartCount
	}
	return n
}

// imageOf prefers the spec's image: status.image may be a resolved digest.
func imageOf(pod *corev1.Pod, container string) string {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			if c.Name == container {
				return c.Image
			}
		}
	}
	if st := containerStatus(allStatuses(pod), container); st != nil {
		return st.Image
	}
	return ""
}

// phaseOf is the pod's phase, Pending while its status has none yet.
func phaseOf(pod *corev1.Pod) corev1.PodPhase {
	if pod.Status.Phase == "" {
		return corev1.PodPending
	}
	return pod.Status.Phase
}
