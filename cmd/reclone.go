package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

type recloneOptions struct {
	timeout time.Duration
}

func newRecloneCommand(g *globalOptions) *cobra.Command {
	o := &recloneOptions{}
	cmd := &cobra.Command{
		Use:   "reclone POD",
		Short: "Replace a replica's data with a fresh clone from a healthy peer and wait until it replicates",
		Long: `Replace one replica's data with a fresh clone: its volume and pod are deleted,
Kubernetes re-creates both, and the new pod clones a healthy peer's data as
any new replica does. Use it for a replica that cannot catch up (error 1236:
its source purged the binary logs it needs) or that diverged (errant
transactions). The primary is never recloned.`,
		Example: `  # A replica stopped with error 1236
  mysqlctl reclone mysql-2`,
		Args:              exactlyOnePod,
		ValidArgsFunction: completeFirstArg(g, replicaNames),
		RunE:              func(cmd *cobra.Command, args []string) error { return o.run(cmd, g, args[0]) },
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the clone and for replication to start")
	return cmd
}

func (o *recloneOptions) run(cmd *cobra.Command, g *globalOptions, pod string) error {
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	if err := s.cluster.Reclone(s.ctx, pod); err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Out, "%s was cloned again and replicates\n", pod)
	return nil
}

// atMostOnePod takes a pod's name or none (exit 2 otherwise).
func atMostOnePod(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageError(fmt.Errorf("%s takes at most one pod name, got %d arguments: e.g. mysqlctl %s mysql-2", cmd.Name(), len(args), cmd.Name()))
	}
	return nil
}

// exactlyOnePod wants the pod's name and nothing else (exit 2 otherwise).
func exactlyOnePod(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageError(fmt.Errorf("%s needs one pod name, got %d arguments: e.g. mysqlctl %s mysql-2", cmd.Name(), len(args), cmd.Name()))
	}
	return nil
}
