package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// ErrClusterNotFound says the named cluster has no StatefulSet here.
var ErrClusterNotFound = fmt.Errorf("cluster not found")

// ScaleOptions are the choices of `mysqlctl scale`.
type ScaleOptions struct {
	Replicas int32
	// KeepPVCs keeps the volumes of removed pods; by default they are
	// deleted so a later scale-up clones fresh data instead of replaying
	// binary logs the primary may have purged.
	KeepPVCs bool
}

// Scale resizes the cluster to opts.Replicas servers and waits: for new
// pods to be ready (a replica is ready only while it replicates), for
// removed pods to be gone and, unless KeepPVCs, their volumes too. The
// highest ordinals go first, so the primary (ordinal 0) is never removed.
func (m *Manager) Scale(ctx context.Context, name string, opts ScaleOptions) error {
	if opts.Replicas < 1 {
		return &InvalidSpecError{Field: "replicas", Message: fmt.Sprintf("replicas must be 1 or more, got %d: the primary is never removed; use 'mysqlctl down' to delete the cluster", opts.Replicas)}
	}
	sts, err := m.Kube.Clientset.AppsV1().StatefulSets(m.Kube.Namespace).Get(ctx, StatefulSetName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("scale %s: %w in namespace %s: create it with 'mysqlctl up'", name, ErrClusterNotFound, m.Kube.Namespace)
	}
	if err != nil {
		return fmt.Errorf("scale %s: %w", name, err)
	}
	if sts.Labels[LabelManagedBy] != ManagedBy {
		return fmt.Errorf("scale %s: statefulset/%s is not managed by mysqlctl: scale it with the tool that created it", name, name)
	}
	from := int32(1)
	if sts.Spec.Replicas != nil {
		from = *sts.Spec.Replicas
	}
	if err := m.patchReplicas(ctx, sts, opts); err != nil {
		return fmt.Errorf("scale %s: %w", name, err)
	}
	m.say(fmt.Sprintf("statefulset/%s scaled from %d to %d", name, from, opts.Replicas))
	if err := m.waitReady(ctx, name, opts.Replicas); err != nil {
		return fmt.Errorf("scale %s: %w", name, err)
	}
	if opts.Replicas < from {
		if err := m.waitRemoved(ctx, name, opts.Replicas, from, !opts.KeepPVCs); err != nil {
			return fmt.Errorf("scale %s: %w", name, err)
		}
	}
	return nil
}

// patchReplicas changes only the replica count and the volume retention on
// scale-down. A merge patch rather than an apply: scale knows nothing of the
// rest of the spec (flavour, image...) and must not reset it.
func (m *Manager) patchReplicas(ctx context.Context, sts *appsv1.StatefulSet, opts ScaleOptions) error {
	whenScaled := appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	if opts.KeepPVCs {
		whenScaled = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{
		"replicas":                             opts.Replicas,
		"persistentVolumeClaimRetentionPolicy": map[string]any{"whenScaled": whenScaled},
	}})
	if err != nil {
		return err
	}
	_, err = m.Kube.Clientset.AppsV1().StatefulSets(sts.Namespace).Patch(ctx, sts.Name, types.MergePatchType, patch,
		metav1.PatchOptions{FieldManager: FieldManager})
	return err
}

// waitRemoved waits until pods from..to-1 are gone and, when deleting
// volumes, until their PVCs are gone as well (the StatefulSet controller
// and the garbage collector remove them after the pods).
func (m *Manager) waitRemoved(ctx context.Context, name string, from, to int32, volumes bool) error {
	var pods, pvcs []string
	for i := from; i < to; i++ {
		pods = append(pods, PodName(name, int(i)))
		pvcs = append(pvcs, PVCName(name, int(i)))
	}
	m.say("waiting for " + strings.Join(pods, ", ") + " to be removed")
	present := func(ctx context.Context) ([]string, error) {
		var left []string
		for i := range pods {
			if _, err := m.Kube.Clientset.CoreV1().Pods(m.Kube.Namespace).Get(ctx, pods[i], metav1.GetOptions{}); err == nil {
				left = append(left, "pod/"+pods[i])
			}
			if !volumes {
				continue
			}
			if _, err := m.Kube.Clientset.CoreV1().PersistentVolumeClaims(m.Kube.Namespace).Get(ctx, pvcs[i], metav1.GetOptions{}); err == nil {
				left = append(left, "persistentvolumeclaim/"+pvcs[i])
			}
		}
		return left, nil
	}
	if err := waitGone(ctx, present); err != nil {
		return fmt.Errorf("after the scale-down: %w", err)
	}
	for _, p := range pods {
		m.say("  " + p + " removed")
	}
	if volumes {
		m.say("  volumes " + strings.Join(pvcs, ", ") + " deleted")
	}
	return nil
}
