package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

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
func (c *Client) enrich(ctx context.Context, ns string, pod *corev1.Pod, p *PodError) *PodError {
	dctx, cancel := diagnosisContext(ctx)
	defer cancel()
	if events, err := c.podEvents(dctx, ns, pod.Name); err == nil {
		for _, e := range LastEvents(events, pod, eventsPerPod) {
			p.Events = append(p.Events, EventLine(e))
		}
	}
	if p.Reason == "CrashLoopBackOff" {
		p.Logs = c.crashLogs(dctx, ns, pod.Name, p.Container)
	}
	return p
}

// crashLogs reads the last instance's log (the one that crashed), falling
// back to the current one when there is no previous instance.
func (c *Client) crashLogs(ctx context.Context, ns, pod, container string) []string {
	lines, err := c.logsTail(ctx, ns, pod, container, crashLogLines, true)
	if err != nil || len(lines) == 0 {
		lines, _ = c.logsTail(ctx, ns, pod, container, crashLogLines, false)
	}
	return lines
}

// podEvents lists the events about pod ns/name. The field selector keeps
// the answer small; LastEvents filters again for fakes that ignore it.
func (c *Client) podEvents(ctx context.Context, ns, name string) ([]corev1.Event, error) {
	sel := fields.Set{"involvedObject.name": name, "involvedObject.kind": "Pod"}.AsSelector().String()
	list, err := c.Clientset.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("list events of pod %s/%s: %w", ns, name, err)
	}
	return list.Items, nil
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
