package kube

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Replaced is a pod HealRollout deleted, and why.
type Replaced struct {
	Pod     string
	Problem *PodError
}

// HealRollout deletes the pods of StatefulSet name that are stuck on an
// older revision (image cannot be pulled, crash loop, unschedulable), so
// the controller re-creates them from the current one. A StatefulSet
// rollout never replaces a pod of an older revision that is not Ready
// (kubernetes/kubernetes#67250), so fixing the template alone heals
// nothing. Ready pods are never touched. Call it after applying the fixed
// template: it first waits until the controller has observed it.
func (c *Client) HealRollout(ctx context.Context, name string) ([]Replaced, error) {
	sts, err := c.observedStatefulSet(ctx, name)
	if err != nil || sts == nil {
		return nil, err
	}
	sel, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("heal rollout of statefulset %s: selector: %w", name, err)
	}
	pods, err := c.ListPods(ctx, sel.String())
	if err != nil {
		return nil, err
	}
	var out []Replaced
	for i := range pods {
		pod := &pods[i]
		problem := stuckOnOldRevision(pod, sts.Status.UpdateRevision)
		if problem == nil {
			continue
		}
		uid := pod.UID
		err := c.clientset.CoreV1().Pods(c.namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil {
			return out, fmt.Errorf("replace stuck pod %s/%s: %w", c.namespace, pod.Name, err)
		}
		out = append(out, Replaced{Pod: pod.Name, Problem: problem})
	}
	return out, nil
}

// stuckOnOldRevision is the problem of a pod that is not Ready, belongs to
// a revision other than update, and will not recover by itself; else nil.
// A crash-looping container is between two attempts only part of the time
// (CrashLoopBackOff); in between it waits as RunContainerError or
// PodInitializing. So a container that has restarted counts as stuck too:
// the rollout cannot pass it, and its revision is the one being replaced.
func stuckOnOldRevision(pod *corev1.Pod, update string) *PodError {
	rev := pod.Labels[appsv1.ControllerRevisionHashLabelKey]
	if update == "" || rev == "" || rev == update || isPodReady(pod) || pod.DeletionTimestamp != nil {
		return nil
	}
	if p := FindProblem(pod); p != nil {
		return p
	}
	if n := restarts(pod); n > 0 {
		return &PodError{Pod: pod.Name, Reason: "Restarting", Message: fmt.Sprintf("%d container restart(s)", n)}
	}
	return nil
}

// observedStatefulSet waits until the controller has observed the
// StatefulSet's latest generation, so its UpdateRevision is the template
// just applied; nil when there is no StatefulSet.
func (c *Client) observedStatefulSet(ctx context.Context, name string) (*appsv1.StatefulSet, error) {
	var sts *appsv1.StatefulSet
	err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		var err error
		sts, err = c.GetStatefulSet(ctx, name)
		if err != nil || sts == nil {
			return true, err
		}
		return sts.Status.ObservedGeneration >= sts.Generation, nil
	})
	if err != nil {
		return nil, fmt.Errorf("wait for the controller to observe statefulset %s/%s: %w", c.namespace, name, err)
	}
	return sts, nil
}
