package cluster

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/types"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// Reclone replaces one replica's data with a fresh clone from a healthy
// peer: its volume and pod are deleted, the StatefulSet controller
// re-creates both, and the new pod's clone container copies a peer's data
// as for any new replica. It waits until the cluster is ready again, which
// for a replica means it replicates. The primary is never recloned: its
// data is the cluster's.
func (c *Cluster) Reclone(ctx context.Context, pod string) error {
	if err := c.reclone(ctx, pod); err != nil {
		return fmt.Errorf("reclone %s: %w", pod, err)
	}
	return nil
}

func (c *Cluster) reclone(ctx context.Context, pod string) error {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return err
	}
	replicas := int32(1)
	if sts.Spec.Replicas != nil {
		replicas = *sts.Spec.Replicas
	}
	ordinal, err := memberOrdinal(c.name, pod, replicas)
	if err != nil {
		return err
	}
	primary, err := c.RecordedPrimary(ctx)
	if err != nil {
		return err
	}
	if pod == primary {
		return manifest.InvalidSpec("pod", "%s is the primary: its data is the cluster's and is never replaced by a clone; reclone a replica, or move the primary first with mysqlctl switchover",
			pod)
	}
	if err := c.requireDonor(ctx, pod); err != nil {
		return err
	}
	// The volume first: it stays until its pod is gone (the claim's
	// protection finalizer), so the re-created pod cannot find the old data.
	volume, err := c.api.Delete(ctx, kube.KindPVC, manifest.PVCName(c.name, ordinal))
	if err != nil {
		return err
	}
	c.changed(volume.String())
	deleted, err := c.api.Delete(ctx, kube.KindPod, pod)
	if err != nil {
		return err
	}
	c.changed(deleted.String())
	// The controller re-creates the claim under the same name at once:
	// only the old one's UID tells it is gone.
	c.say("waiting for the old volume of " + pod + " to be released")
	claim := manifest.PVCName(c.name, ordinal)
	if err := c.api.WaitGone(ctx, kube.Gone{Kind: kube.KindPVC, Names: []string{claim}, UIDs: map[string]types.UID{claim: volume.UID}}); err != nil {
		return err
	}
	return c.waitReady(ctx, replicas, "")
}

// requireDonor refuses when no other server is Ready: the clone would wait
// for a donor that is not there.
func (c *Cluster) requireDonor(ctx context.Context, pod string) error {
	pods, err := c.api.ListPods(ctx, manifest.PodSelector(c.name))
	if err != nil {
		return err
	}
	for i := range pods {
		if pods[i].Name != pod && kube.ProgressOf(&pods[i]).Stage == kube.StageReady {
			return nil
		}
	}
	return fmt.Errorf("no other server of cluster %s is ready to clone from: bring the cluster back first ('mysqlctl status' shows what is wrong)", c.name)
}
