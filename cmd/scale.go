package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

type scaleOptions struct {
	keepPVCs bool
	timeout  time.Duration
}

func newScaleCommand(g *globalOptions) *cobra.Command {
	o := &scaleOptions{}
	cmd := &cobra.Command{
		Use:   "scale --replicas N",
		Short: "Change the number of servers and wait until the cluster has settled",
		Example: `  # Grow to a primary and four replicas
  mysqlctl scale --replicas 5

  # Shrink to two servers but keep the removed servers' volumes
  mysqlctl scale --replicas 2 --keep-pvcs`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, scaleKeys...)
	cmd.Flags().BoolVar(&o.keepPVCs, "keep-pvcs", false, "keep the volumes of removed servers (a later scale-up then reuses their data)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the cluster to settle")
	return cmd
}

func (o *scaleOptions) run(cmd *cobra.Command, g *globalOptions) error {
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout, check: requireReplicas})
	if err != nil {
		return err
	}
	defer s.cancel()
	c := s.cluster
	if err := c.Scale(s.ctx, cluster.ScaleOptions{Replicas: s.spec.Replicas, KeepPVCs: o.keepPVCs}); err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Out, "cluster %s runs %d server(s)\n", c.Name(), s.spec.Replicas)
	return nil
}

// requireReplicas: scale has no default size; the new one must be given.
func requireReplicas(in input) error {
	if !in.given.Has(manifest.KeyReplicas) {
		return usageError(fmt.Errorf("scale needs the new number of servers: pass --replicas N (N ≥ 1), or set MYSQLCTL_REPLICAS or replicas in the config file"))
	}
	return nil
}
