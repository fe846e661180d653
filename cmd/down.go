package cmd

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type downOptions struct {
	purge   bool
	yes     bool
	timeout time.Duration
}

func newDownCommand(g *globalOptions) *cobra.Command {
	o := &downOptions{}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete a cluster's servers, keeping its data and credentials unless --purge",
		Example: `  # Stop the cluster; 'mysqlctl up' brings the same data back
  mysqlctl down

  # Delete everything, volumes and credentials included, without a prompt
  mysqlctl down --purge --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().BoolVar(&o.purge, "purge", false, "also delete the data volumes and the credentials Secret")
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation of --purge")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the pods to stop")
	return cmd
}

func (o *downOptions) run(cmd *cobra.Command, g *globalOptions) error {
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	c := s.cluster
	if o.purge && !o.yes {
		if err := confirmPurge(g, c.Name(), c.Namespace()); err != nil {
			return err
		}
	}
	found, err := c.Down(s.ctx, cluster.DownOptions{Purge: o.purge})
	if err != nil {
		return err
	}
	switch {
	case !found:
		fmt.Fprintf(g.streams.Out, "nothing to delete: no cluster %s in namespace %s\n", c.Name(), c.Namespace())
	case !o.purge:
		fmt.Fprintf(g.streams.Out, "cluster %s stopped; its volumes and credentials are kept: 'mysqlctl up' brings it back, 'mysqlctl down --purge' deletes them\n", c.Name())
	}
	return nil
}

// confirmPurge asks on a terminal; elsewhere it refuses, since deleting
// data needs an explicit yes.
func confirmPurge(g *globalOptions, name, namespace string) error {
	in, ok := g.streams.In.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return usageError(fmt.Errorf("--purge deletes the data of cluster %s for good: add --yes to confirm when not on a terminal", name))
	}
	fmt.Fprintf(g.streams.ErrOut, "Delete cluster %s in namespace %s with all its data and credentials? Type the cluster name to confirm: ", name, namespace)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(answer) != name {
		return fmt.Errorf("purge of cluster %s not confirmed: nothing was deleted", name)
	}
	return nil
}
