package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WaitRolledFrom waits until the pods of StatefulSet name with ordinals
// from..want-1 run its update revision and are Ready: the part of a
// rollout a partition (RollingUpdateStatefulSetStrategy.Partition = from)
// lets the controller do, one pod at a time from the highest ordinal.
// The pods below from are not waited for. It fails early on a pod that
// will not recover, and on ctx's deadline says what was missing, as
// WaitStatefulSetReady does.
func (c *Client) WaitRolledFrom(ctx context.Context, name string, want, from int32, progress func(PodProgress)) error {
	return c.waitStatefulSet(ctx, name, want, progress, func(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod) string {
		return notRolled(sts, pods, want, from)
	})
}

// notRolled says what keeps pods from..want-1 of sts from running its
// update revision, Ready, or "" when nothing does.
func notRolled(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod, want, from int32) string {
	if sts.Status.ObservedGeneration < sts.Generation {
		return fmt.Sprintf("waiting for the StatefulSet controller to see generation %d", sts.Generation)
	}
	update := sts.Status.UpdateRevision
	for i := want - 1; i >= from; i-- {
		p := pods[int(i)]
		switch {
		case p == nil:
			return fmt.Sprintf("%s-%d: not created yet", sts.Name, i)
		case p.Labels[appsv1.ControllerRevisionHashLabelKey] != update:
			return fmt.Sprintf("%s: not updated to revision %s yet", p.Name, update)
		case !isPodReady(p):
			return fmt.Sprintf("%s: updated, not ready yet", p.Name)
		}
	}
	return ""
}

// PodRevisions are the controller revision of each pod of StatefulSet
// name, by pod name, and the StatefulSet's update revision once the
// controller observed its latest generation (nil, "" without one).
func (c *Client) PodRevisions(ctx context.Context, name string) (map[string]string, string, error) {
	sts, err := c.observedStatefulSet(ctx, name)
	if err != nil || sts == nil {
		return nil, "", err
	}
	sel, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return nil, "", fmt.Errorf("statefulset %s/%s: selector: %w", c.namespace, name, err)
	}
	pods, err := c.ListPods(ctx, sel.String())
	if err != nil {
		return nil, "", err
	}
	out := map[string]string{}
	for _, p := range pods {
		out[p.Name] = p.Labels[appsv1.ControllerRevisionHashLabelKey]
	}
	return out, sts.Status.UpdateRevision, nil
}
