package cluster

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// The names a user types after a command: pods and clusters, read from
// what runs. They feed shell completion, so they are cheap (one or two
// list calls) and say nothing about health.

// PodNames lists the cluster's pods by ordinal, ready or not: any of them
// can be the one a user wants to open a client on.
func (c *Cluster) PodNames(ctx context.Context) ([]string, error) {
	pods, err := c.api.ListPods(ctx, manifest.PodSelector(c.name))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(pods))
	for _, p := range pods {
		names = append(names, p.Name)
	}
	return names, nil
}

// ReplicaNames lists the cluster's pods except the recorded primary: the
// pods reclone, promote and switchover --to accept. A replica that is not
// ready is listed too, since it is often the one to reclone.
func (c *Cluster) ReplicaNames(ctx context.Context) ([]string, error) {
	names, err := c.PodNames(ctx)
	if err != nil {
		return nil, err
	}
	primary, err := c.RecordedPrimary(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(names, func(n string) bool { return n == primary }), nil
}

// ClusterNames lists the clusters in k's namespace: the instances of the
// StatefulSets mysqlctl manages, by name. A StatefulSet of another manager
// with the same name labels is not one.
func (c *Cluster) ClusterNames(ctx context.Context) ([]string, error) {
	selector := labels.SelectorFromSet(map[string]string{manifest.LabelName: manifest.AppName, manifest.LabelManagedBy: manifest.ManagedBy}).String()
	sets, err := c.api.ListStatefulSets(ctx, selector)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range sets {
		if name := s.Labels[manifest.LabelInstance]; name != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
