package cluster

import "context"

// Status gathers the cluster's StatusReport. It fails only when the cluster
// cannot be found or the Kubernetes API cannot be read; a member that cannot
// be reached gets its Error and the rest of the report is still filled.
func (c *Cluster) Status(ctx context.Context) (*StatusReport, error) {
	g, err := c.gather(ctx)
	if err != nil {
		return nil, err
	}
	g.close()
	return g.report, nil
}
