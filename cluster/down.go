package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/kube"
)

// DownOptions are the choices of `mysqlctl down`.
type DownOptions struct {
	// Purge also deletes the volumes and the credentials Secret. Without it
	// `up` brings the same data back with the same passwords.
	Purge bool
}

// Down deletes the cluster's workload objects and waits until its pods are
// gone. It only ever deletes objects labelled as managed by mysqlctl, and
// deleting what is already gone is not an error. It reports whether
// anything of the cluster was found.
func (c *Cluster) Down(ctx context.Context, opts DownOptions) (found bool, err error) {
	found, err = c.down(ctx, opts)
	if err != nil {
		return found, fmt.Errorf("down %s: %w", c.Name, err)
	}
	return found, nil
}

func (c *Cluster) down(ctx context.Context, opts DownOptions) (bool, error) {
	found := false
	record := func(r kube.Result) {
		if r.Action != kube.NotFound {
			found = true
			c.changed(r.String())
		}
	}
	deletes := []struct{ kind, name string }{
		{kube.KindStatefulSet, StatefulSetName(c.Name)},
		{kube.KindPodDisruptionBudget, DisruptionBudgetName(c.Name)},
		{kube.KindService, HeadlessServiceName(c.Name)},
		{kube.KindService, ReadServiceName(c.Name)},
		{kube.KindService, PrimaryServiceName(c.Name)},
		{kube.KindConfigMap, ConfigMapName(c.Name)},
		{kube.KindNetworkPolicy, NetworkPolicyName(c.Name)},
	}
	for _, d := range deletes {
		result, err := c.Kube.Delete(ctx, d.kind, d.name)
		if err != nil {
			return found, err
		}
		record(result)
	}
	c.say("waiting for the pods of " + c.Name + " to stop")
	if err := c.Kube.WaitGone(ctx, kube.Gone{Kind: kube.KindPod, Selector: PodSelector(c.Name)}); err != nil {
		return found, err
	}
	if !opts.Purge {
		return found, nil
	}
	return found, c.purge(ctx, record)
}

// purge deletes the volumes, waits until they are gone, and only then the
// cluster's record and the Secret: an interrupted purge never leaves
// volumes without the passwords their servers were initialised with, nor
// a record of data that is gone.
func (c *Cluster) purge(ctx context.Context, record func(kube.Result)) error {
	pvcs, err := c.Kube.DeletePVCs(ctx, PodSelector(c.Name))
	for _, r := range pvcs {
		record(r)
	}
	if err != nil {
		return fmt.Errorf("delete volumes: %w", err)
	}
	c.say("waiting for the volumes of " + c.Name + " to be deleted")
	if err := c.Kube.WaitGone(ctx, kube.Gone{Kind: kube.KindPVC, Selector: PodSelector(c.Name)}); err != nil {
		return err
	}
	for _, o := range []struct{ kind, name string }{
		{kube.KindConfigMap, StateConfigMapName(c.Name)},
		{kube.KindSecret, SecretName(c.Name)},
		{kube.KindSecret, TLSSecretName(c.Name)},
		{kube.KindSecret, CASecretName(c.Name)},
	} {
		result, err := c.Kube.Delete(ctx, o.kind, o.name)
		if err != nil {
			return err
		}
		record(result)
	}
	return nil
}
