package cluster

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// A change of the pod template rolls every pod. The StatefulSet controller
// would restart the primary where it stands, and writes stop for its whole
// restart; up instead holds the rollout below the primary (the
// RollingUpdate partition), lets the controller update the replicas above
// it one at a time, each Ready (replicating, caught up) before the next,
// switches over to an updated replica, and only then lets the rollout
// reach the former primary, a replica by then. The write downtime is the
// switchover's. Every step is read from what runs, so an interrupted up
// run again carries on from where the rollout stands; with the partition
// back at 0 at the end, a pod re-created later runs the current template.

// canRollPrimaryLast: a running cluster of two servers or more, with a
// recorded primary to hand over from.
func (p plan) canRollPrimaryLast() bool {
	return p.liveReplicas >= 2 && p.spec.Replicas >= 2 && p.primaryRecorded
}

// primaryOrdinal is the recorded primary's ordinal.
func (p plan) primaryOrdinal() int32 {
	n, _ := kube.Ordinal(p.primary)
	return int32(n)
}

// holdRolloutStep stamps the template's digest on the StatefulSet and,
// when the template changes (or an earlier rollout did not finish) on a
// cluster that can hand its writes over, applies it with the rollout held
// below the primary: only the pods above the primary's ordinal may roll.
// It runs after every step that changes the template (TLS).
func (c *Cluster) holdRolloutStep(_ context.Context, run *upRun) error {
	digest, err := run.objects.StampTemplate()
	if err != nil {
		return err
	}
	changes := digest != run.plan.liveTemplate || run.plan.rolloutPending
	if run.restartPrimary || !run.plan.canRollPrimaryLast() || run.restore != nil || !changes {
		return nil
	}
	run.primaryLast = true
	run.objects.RollFrom(run.plan.primaryOrdinal() + 1)
	return nil
}

// rollPrimaryLastStep finishes a rollout held below the primary. When the
// primary already runs the current template (nothing changed, or an
// earlier up got that far) the partition just goes back to 0. A pod above
// the primary that does not come back ends up with its diagnosis, the
// primary untouched and still writable.
func (c *Cluster) rollPrimaryLastStep(ctx context.Context, run *upRun) error {
	if !run.primaryLast {
		return nil
	}
	name := manifest.StatefulSetName(c.name)
	revisions, update, err := c.api.PodRevisions(ctx, name)
	if err != nil {
		return err
	}
	primary, servers := run.plan.primary, run.plan.spec.Replicas
	if rev := revisions[primary]; rev == "" || rev == update {
		return c.rollFrom(ctx, 0)
	}
	from := run.plan.primaryOrdinal() + 1
	if from == servers {
		// No ordinal above the primary to update first: its writes go
		// to a replica below it, which the rollout then passes over
		// like any replica.
		change, err := c.switchoverForRollout(ctx, "", "no server above it to update first")
		if err != nil {
			return err
		}
		ord, _ := kube.Ordinal(change.To)
		if from = int32(ord) + 1; from == servers {
			return fmt.Errorf("the switchover made %s the primary, still the highest ordinal: run mysqlctl up again", change.To)
		}
		if err := c.rollFrom(ctx, from); err != nil {
			return err
		}
	}
	c.say(fmt.Sprintf("updating %s first, one at a time; the primary waits", describeOrdinals(c.name, from, servers)))
	err = c.api.WaitRolledFrom(ctx, name, servers, from, func(p kube.PodProgress) { c.say("  " + describeProgress(p)) })
	if err != nil {
		return fmt.Errorf("the rollout stopped before the primary, which still takes writes unchanged: %w", err)
	}
	if _, err := c.switchoverForRollout(ctx, manifest.PodName(c.name, int(servers-1)), "it is updated"); err != nil {
		return err
	}
	return c.rollFrom(ctx, 0)
}

// switchoverForRollout hands the writes to (to, "" for the best replica)
// and says why and what it cost.
func (c *Cluster) switchoverForRollout(ctx context.Context, to, why string) (*RoleChange, error) {
	change, err := c.Switchover(ctx, SwitchoverOptions{To: to})
	if err != nil {
		return nil, fmt.Errorf("the rollout stopped before the primary: %w", err)
	}
	c.changed(fmt.Sprintf("switchover: primary %s (was %s; %s), write downtime %s", change.To, change.From, why, change.WriteDowntime.Round(1e6)))
	return change, nil
}

// rollFrom sets the StatefulSet's RollingUpdate partition: the controller
// updates the pods of ordinal from and above.
func (c *Cluster) rollFrom(ctx context.Context, from int32) error {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"updateStrategy": map[string]any{
		"type": "RollingUpdate", "rollingUpdate": map[string]any{"partition": from}}}})
	if err != nil {
		return err
	}
	return c.api.PatchStatefulSet(ctx, manifest.StatefulSetName(c.name), patch)
}

// describeOrdinals words pods from..servers-1.
func describeOrdinals(name string, from, servers int32) string {
	if from == servers-1 {
		return manifest.PodName(name, int(from))
	}
	return fmt.Sprintf("%s to %s", manifest.PodName(name, int(servers-1)), manifest.PodName(name, int(from)))
}
