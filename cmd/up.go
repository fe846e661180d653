package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type upOptions struct {
	createNamespace bool
	timeout         time.Duration
}

func newUpCommand(g *globalOptions) *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update a replicated MySQL cluster and wait until every server is ready",
		Example: `  # A primary and two replicas of MySQL 8.4 in the current namespace
  mysqlctl up

  # MariaDB, five servers, in a new namespace
  mysqlctl up --flavor mariadb --replicas 5 -n db --create-namespace

  # From a spec file (mysqlctl render --example-config writes one)
  mysqlctl up --config mysqlctl.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, allKeys()...)
	cmd.Flags().BoolVar(&o.createNamespace, "create-namespace", false, "create the namespace if it does not exist")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the servers to be ready")
	return cmd
}

func (o *upOptions) run(cmd *cobra.Command, g *globalOptions) error {
	if err := positive("--timeout", o.timeout); err != nil {
		return err
	}
	s, err := openSession(cmd, g, o.timeout)
	if err != nil {
		return err
	}
	defer s.cancel()
	c := s.cluster
	opts := cluster.UpOptions{CreateNamespace: o.createNamespace, Given: s.given}
	if err := c.Up(s.ctx, s.spec, opts); err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Out, "cluster %s is ready in namespace %s: write to %s, read from %s\n",
		c.Name, c.Namespace(), c.WriteEndpoint(), c.ReadEndpoint())
	return nil
}
