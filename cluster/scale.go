package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

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
// highest ordinals go first; a count that would remove the recorded
// primary is refused before anything changes.
func (c *Cluster) Scale(ctx context.Context, opts ScaleOptions) error {
	if opts.Replicas < 1 {
		return &manifest.InvalidSpecError{Field: "replicas", Message: fmt.Sprintf("replicas must be 1 or more, got %d: the primary is never removed; use 'mysqlctl down' to delete the cluster", opts.Replicas)}
	}
	if err := c.scale(ctx, opts); err != nil {
		return fmt.Errorf("scale %s: %w", c.name, err)
	}
	return nil
}

func (c *Cluster) scale(ctx context.Context, opts ScaleOptions) error {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return err
	}
	if err := kube.CheckManaged(kube.KindStatefulSet, sts, "scale it with the tool that created it"); err != nil {
		return err
	}
	from := int32(1)
	if sts.Spec.Replicas != nil {
		from = *sts.Spec.Replicas
	}
	primary, err := c.RecordedPrimary(ctx)
	if err != nil {
		return err
	}
	if err := checkKeepsPrimary(c.name, primary, opts.Replicas); err != nil {
		return err
	}
	live := manifest.LiveSpec(sts).WithDefaults()
	if live.SemiSync != manifest.SemiSyncOff && opts.Replicas < 2 {
		return &manifest.InvalidSpecError{Field: "replicas", Message: fmt.Sprintf(
			"the cluster runs semiSync %s, which needs a replica to acknowledge commits: keep 2 servers or more, or run mysqlctl up --semi-sync off first", live.SemiSync)}
	}
	if err := c.checkCapacity(ctx, live, opts.Replicas); err != nil {
		return err
	}
	if err := c.patchReplicas(ctx, opts); err != nil {
		return err
	}
	c.changed(fmt.Sprintf("statefulset/%s scaled from %d to %d", sts.Name, from, opts.Replicas))
	// One replica at a time counts the replicas there now are.
	if err := c.applyPrimaryObjects(ctx, primary, opts.Replicas); err != nil {
		return err
	}
	if err := c.waitReady(ctx, opts.Replicas, ""); err != nil {
		return err
	}
	if opts.Replicas < from {
		return c.waitRemoved(ctx, opts.Replicas, from, !opts.KeepPVCs)
	}
	return nil
}

// patchReplicas changes only the replica count and the volume retention on
// scale-down. A merge patch rather than an apply: scale knows nothing of the
// rest of the spec (flavour, image...) and must not reset it.
func (c *Cluster) patchReplicas(ctx context.Context, opts ScaleOptions) error {
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
	return c.api.PatchStatefulSet(ctx, manifest.StatefulSetName(c.name), patch)
}

// waitRemoved waits until pods from..to-1 are gone and, when deleting
// volumes, until their PVCs are gone as well (the StatefulSet controller
// and the garbage collector remove them after the pods).
func (c *Cluster) waitRemoved(ctx context.Context, from, to int32, volumes bool) error {
	var pods, pvcs []string
	for i := from; i < to; i++ {
		pods = append(pods, manifest.PodName(c.name, int(i)))
		pvcs = append(pvcs, manifest.PVCName(c.name, int(i)))
	}
	c.say("waiting for " + strings.Join(pods, ", ") + " to be removed")
	targets := []kube.Gone{{Kind: kube.KindPod, Names: pods}}
	if volumes {
		targets = append(targets, kube.Gone{Kind: kube.KindPVC, Names: pvcs})
	}
	if err := c.api.WaitGone(ctx, targets...); err != nil {
		return fmt.Errorf("after the scale-down: %w", err)
	}
	for _, p := range pods {
		c.say("  " + p + " removed")
	}
	if volumes {
		for _, p := range pvcs {
			c.changed(kube.KindPVC + "/" + p + " deleted")
		}
	}
	return nil
}
