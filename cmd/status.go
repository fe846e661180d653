package cmd

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type statusOptions struct {
	output     string
	watch      bool
	interval   time.Duration
	timeout    time.Duration
	podTimeout time.Duration
}

func newStatusCommand(g *globalOptions) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each server of a cluster: role, read-only, binary log, replication and lag",
		Long: `Show each server of a cluster, read from the server itself through a port-forward:
role, read-only settings, binary log position, replication source, threads and lag.

Every pod is read at once, each within --pod-timeout; a pod that cannot be read
still gets its row, with <unknown> fields, and its error under the table.
-o json and -o yaml print the schema documented in docs/status-schema.md.`,
		Example: `  # The cluster named mysql in the current namespace
  mysqlctl status

  # Another cluster, with GTIDs, server UUIDs, nodes and ages
  mysqlctl status --name orders -n shop -o wide

  # Refresh every 2 seconds until Ctrl-C
  mysqlctl status --watch

  # The primary's name, for a script
  mysqlctl status -o json | jq -r .cluster.primary`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", string(outputTable), "output format: table, wide, json or yaml")
	f.BoolVarP(&o.watch, "watch", "w", false, "refresh in place until interrupted")
	f.DurationVar(&o.interval, "interval", 2*time.Second, "time between refreshes with --watch")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "bound on the whole command (on each refresh with --watch)")
	f.DurationVar(&o.podTimeout, "pod-timeout", cluster.DefaultPodTimeout, "bound on each server: port-forward, login and queries")
	return cmd
}

func (o *statusOptions) run(cmd *cobra.Command, g *globalOptions) error {
	format, err := parseOutput(o.output)
	if err != nil {
		return err
	}
	// No bound on the session: --timeout bounds each refresh.
	s, err := openSession(cmd, g, sessionOptions{podTimeout: o.podTimeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	show := func(ctx context.Context, w io.Writer) error {
		ctx, cancel := withTimeout(ctx, o.timeout)
		defer cancel()
		report, err := s.cluster.Status(ctx)
		if err != nil {
			return err
		}
		return printStatus(w, report, format)
	}
	if o.watch {
		return watch(s.ctx, g.streams, o.interval, format, show)
	}
	return show(s.ctx, g.streams.Out)
}
