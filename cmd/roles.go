package cmd

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type roleOptions struct {
	to      string
	force   bool
	adopt   bool
	catchUp time.Duration
	timeout time.Duration
}

func newSwitchoverCommand(g *globalOptions) *cobra.Command {
	o := &roleOptions{}
	cmd := &cobra.Command{
		Use:   "switchover",
		Short: "Move the primary role to a caught-up replica, with nothing lost",
		Long: `Move the primary role to a replica (planned maintenance of the primary's node,
say). The replica first catches up; then the primary is fenced (read-only,
its client connections ended), the replica applies its last transactions
and becomes writable, the cluster's record and the write Service
(<name>-primary) move to it, and every other server, the old primary
included, replicates from it. If a step fails before the new primary is
writable, the old one takes writes again. Prints the measured write
downtime.`,
		Example: `  # To the replica that is least behind
  mysqlctl switchover

  # To a chosen replica
  mysqlctl switchover --to mysql-2`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.runSwitchover(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().StringVar(&o.to, "to", "", "the replica that becomes the primary (default: the healthy one least behind)")
	mustCompleteFlag(cmd, "to", completeNames(g, replicaNames))
	cmd.Flags().DurationVar(&o.catchUp, "catch-up", cluster.DefaultCatchUp, "how long the new primary may take to catch up, before and after the fence")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long the whole switchover may take")
	return cmd
}

func newPromoteCommand(g *globalOptions) *cobra.Command {
	o := &roleOptions{}
	cmd := &cobra.Command{
		Use:   "promote [POD]",
		Short: "Make a replica the primary when the primary is lost (failover)",
		Long: `Make a replica the primary when the recorded primary is gone or its data is
lost. Transactions the old primary committed but never sent to a replica are
lost. Without POD, the replica that received the most (its relay log
counts: it applies it first). Refused while the primary is healthy (use switchover); while its pod
is Ready or its server still answers as writable; and for a replica that
received fewer transactions than another: --force promotes anyway. An old
primary that answers is fenced (read-only, its clients' sessions ended)
before the new one takes writes. The old primary rejoins as a replica when
its data is a subset of the new primary's; otherwise it stays read-only and
status reports it diverged.

--adopt records POD as the primary when it already is the one writable
server: after a role change whose last step failed, or when the cluster's
record was deleted. It changes nothing on the servers but the others'
source.`,
		Example: `  # mysql-0's volume is lost: the replica that received the most
  mysqlctl promote

  # mysql-0's volume is lost; mysql-1 is the most up to date replica
  mysqlctl promote mysql-1

  # The record was deleted; mysql-1 is the one writable server
  mysqlctl promote mysql-1 --adopt`,
		Args:              atMostOnePod,
		ValidArgsFunction: completeFirstArg(g, replicaNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.runPromote(cmd, g, strings.Join(args, ""))
		},
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().BoolVar(&o.force, "force", false, "promote although another replica received more transactions (they are lost), or the old primary still answers (it is fenced)")
	cmd.Flags().BoolVar(&o.adopt, "adopt", false, "record POD as the primary, which it already is: the one writable server")
	cmd.Flags().DurationVar(&o.catchUp, "catch-up", cluster.DefaultCatchUp, "how long POD may take to apply what it received (and what a fenced old primary wrote) before it takes writes")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long the promotion may take")
	return cmd
}

func (o *roleOptions) runSwitchover(cmd *cobra.Command, g *globalOptions) error {
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	change, err := s.cluster.Switchover(s.ctx, cluster.SwitchoverOptions{To: o.to, CatchUp: o.catchUp})
	printRoleChange(g.streams.Out, change, s.cluster)
	return err
}

func (o *roleOptions) runPromote(cmd *cobra.Command, g *globalOptions, pod string) error {
	if o.adopt && pod == "" {
		return usageError(errors.New("--adopt records the one writable server as the primary: name it, e.g. mysqlctl promote mysql-1 --adopt"))
	}
	if o.adopt && o.force {
		return usageError(errors.New("--adopt records a primary that already takes writes, and --force does not apply to it: pass one of them"))
	}
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	change, err := s.cluster.Promote(s.ctx, cluster.PromoteOptions{Pod: pod, Force: o.force, Adopt: o.adopt, CatchUp: o.catchUp})
	printRoleChange(g.streams.Out, change, s.cluster)
	return err
}

// printRoleChange says what moved, whatever part of it happened.
func printRoleChange(w io.Writer, change *cluster.RoleChange, c *cluster.Cluster) {
	if change == nil {
		return
	}
	fmt.Fprintf(w, "primary: %s (was %s); writes go to %s\n", change.To, change.From, c.WriteEndpoint())
	if change.WriteDowntime > 0 {
		fmt.Fprintf(w, "write downtime: %s\n", change.WriteDowntime.Round(time.Millisecond))
	}
	for _, p := range change.Repointed {
		fmt.Fprintf(w, "%s replicates from %s\n", p, change.To)
	}
	for _, p := range change.NotRepointed {
		fmt.Fprintf(w, "not repointed: %s\n", p)
	}
	for _, n := range change.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
