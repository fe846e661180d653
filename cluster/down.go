package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
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
		return found, fmt.Errorf("down %s: %w", c.name, err)
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
	deletes := c.workloadObjects()
	if opts.Purge {
		deletes = append(deletes, c.dataObjects()...)
	}
	if err := c.refuseOthersObjects(ctx, deletes); err != nil {
		return false, err
	}
	for _, d := range c.workloadObjects() {
		result, err := c.api.Delete(ctx, d.kind, d.name)
		if err != nil {
			return found, err
		}
		record(result)
	}
	c.say("waiting for the pods of " + c.name + " to stop")
	if err := c.api.WaitGone(ctx, kube.Gone{Kind: kube.KindPod, Selector: manifest.PodSelector(c.name)}); err != nil {
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
	pvcs, err := c.api.DeletePVCs(ctx, manifest.PodSelector(c.name))
	for _, r := range pvcs {
		record(r)
	}
	if err != nil {
		return fmt.Errorf("delete volumes: %w", err)
	}
	c.say("waiting for the volumes of " + c.name + " to be deleted")
	if err := c.api.WaitGone(ctx, kube.Gone{Kind: kube.KindPVC, Selector: manifest.PodSelector(c.name)}); err != nil {
		return err
	}
	for _, o := range c.dataObjects() {
		result, err := c.api.Delete(ctx, o.kind, o.name)
		if err != nil {
			return err
		}
		record(result)
	}
	return nil
}

// namedObject is one object of the cluster, by kind and name.
type namedObject struct{ kind, name string }

// workloadObjects are what down deletes: the data stays.
func (c *Cluster) workloadObjects() []namedObject {
	return []namedObject{
		{kube.KindStatefulSet, manifest.StatefulSetName(c.name)},
		{kube.KindPodDisruptionBudget, manifest.DisruptionBudgetName(c.name)},
		{kube.KindPodDisruptionBudget, manifest.PrimaryDisruptionBudgetName(c.name)},
		{kube.KindService, manifest.HeadlessServiceName(c.name)},
		{kube.KindService, manifest.ReadServiceName(c.name)},
		{kube.KindService, manifest.PrimaryServiceName(c.name)},
		{kube.KindConfigMap, manifest.ConfigMapName(c.name)},
		{kube.KindNetworkPolicy, manifest.NetworkPolicyName(c.name)},
		{kube.KindPodMonitor, manifest.MonitoringName(c.name)},
		{kube.KindPrometheusRule, manifest.MonitoringName(c.name)},
	}
}

// dataObjects are what down --purge deletes once the volumes are gone.
func (c *Cluster) dataObjects() []namedObject {
	return []namedObject{
		{kube.KindConfigMap, manifest.StateConfigMapName(c.name)},
		{kube.KindSecret, manifest.SecretName(c.name)},
		{kube.KindSecret, manifest.TLSSecretName(c.name)},
		{kube.KindSecret, manifest.CASecretName(c.name)},
		{kube.KindSecret, manifest.MetricsSecretName(c.name)},
	}
}

// refuseOthersObjects refuses, before anything is deleted, a name whose
// objects belong to another cluster: the names are derived from the
// cluster's, so down --name mysql-read would otherwise delete cluster
// mysql's read Service (it is named mysql-read and managed by mysqlctl too).
func (c *Cluster) refuseOthersObjects(ctx context.Context, objs []namedObject) error {
	for _, o := range objs {
		labels, found, err := c.api.LabelsOf(ctx, o.kind, o.name)
		if err != nil {
			return err
		}
		if owner := labels[manifest.LabelInstance]; found && owner != "" && owner != c.name {
			return manifest.InvalidSpec("name", "%s %s belongs to cluster %s, not to cluster %s: nothing was deleted; to take that cluster down pass --name %s",
				o.kind, o.name, owner, c.name, owner)
		}
	}
	return nil
}
