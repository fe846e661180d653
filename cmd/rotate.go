package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type rotateOptions struct {
	catchUp, files, timeout time.Duration
}

func newRotatePasswordsCommand(g *globalOptions) *cobra.Command {
	o := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate-passwords",
		Short: "Give every account of the credentials Secret a new password, with no outage",
		Long: `Give root, mysqlctl's own account, the replication account and the probes'
account new random passwords, with no restart and no outage. Every server
first accepts the old and the new password of each account (MySQL's dual
passwords, MariaDB's two authentication methods; the changes are made on
the primary and replicate); then the Secret holds the new passwords and
every pod's files are given them; each replica replicates with the new
replication password; last, the old passwords stop working.

Applications that log in as root keep working until that last step: give
them the new password (mysqlctl credentials --show-passwords) before, or
right after, this command. The Secret records how far a rotation went, so
an interrupted one is finished by running the command again. Every server
must answer and replicate. MySQL 5.7 cannot hold two passwords and is
refused.`,
		Example: `  mysqlctl rotate-passwords`,
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().DurationVar(&o.catchUp, "catch-up", cluster.DefaultCatchUp, "how long each replica may take to apply the account changes")
	cmd.Flags().DurationVar(&o.files, "files-within", 3*time.Minute, "how long the kubelet may take to give every pod the new Secret files")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long the whole rotation may take")
	return cmd
}

func (o *rotateOptions) run(cmd *cobra.Command, g *globalOptions) error {
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	if err := s.cluster.RotatePasswords(s.ctx, cluster.RotateOptions{CatchUp: o.catchUp, FilesWithin: o.files}); err != nil {
		return err
	}
	fmt.Fprintln(g.streams.Out, "every account has a new password; the old ones no longer work (mysqlctl credentials --show-passwords shows the new ones)")
	return nil
}
