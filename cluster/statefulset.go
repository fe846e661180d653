package cluster

import (
	"context"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	appsv1 "k8s.io/api/apps/v1"
)

// statefulSet reads the cluster's StatefulSet; nil when there is none.
func (c *Cluster) statefulSet(ctx context.Context) (*appsv1.StatefulSet, error) {
	return c.api.GetStatefulSet(ctx, manifest.StatefulSetName(c.name))
}

// existingStatefulSet reads the cluster's StatefulSet for a command that
// acts on a running cluster: none is a ClusterNotFoundError, whose sentence
// already says to check --name and -n or create it with mysqlctl up.
func (c *Cluster) existingStatefulSet(ctx context.Context) (*appsv1.StatefulSet, error) {
	sts, err := c.statefulSet(ctx)
	if err != nil {
		return nil, err
	}
	if sts == nil {
		return nil, c.notFound()
	}
	return sts, nil
}
