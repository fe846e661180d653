package cmd

import (
	"context"
	"fmt"
	"io"
	"sync"
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
	addNameFlags(cmd)
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
	if err := positive("--pod-timeout", o.podTimeout); err != nil {
		return err
	}
	if err := positive("--interval", o.interval); err != nil {
		return err
	}
	spec, err := loadSpec(cmd, g)
	if err != nil {
		return err
	}
	in, err := newInspector(cmd.Context(), g, spec, o.podTimeout)
	if err != nil {
		return err
	}
	show := func(ctx context.Context, w io.Writer) error {
		ctx, cancel := withTimeout(ctx, o.timeout)
		defer cancel()
		report, err := in.Status(ctx)
		if err != nil {
			return err
		}
		return printStatus(w, report, format)
	}
	if o.watch {
		return watch(cmd.Context(), g.streams, o.interval, format, show)
	}
	return show(cmd.Context(), g.streams.Out)
}

// addNameFlags adds the spec flags, which loadSpec resolves (flag >
// MYSQLCTL_* > config file > default), and hides all but --name: the name
// (and the namespace, -n) is all that status and check need of the spec.
func addNameFlags(cmd *cobra.Command) {
	addSpecFlags(cmd)
	for _, k := range specKeys() {
		if k.key != "name" {
			_ = cmd.Flags().MarkHidden(flagName(k.key)) // the flag exists: no error
		}
	}
}

// noArgs refuses positional arguments as bad usage (exit code 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return usageError(err)
	}
	return nil
}

// newInspector connects to Kubernetes (the namespace from -n, else the
// config file or MYSQLCTL_NAMESPACE, else the context's) and returns the
// status reader of the cluster in spec.
func newInspector(ctx context.Context, g *globalOptions, spec cluster.Spec, podTimeout time.Duration) (*cluster.Inspector, error) {
	client, err := connect(ctx, g, spec.Namespace)
	if err != nil {
		return nil, err
	}
	in := cluster.NewInspector(client, spec.Name)
	in.PodTimeout = podTimeout
	if g.verbosity > 0 {
		var mu sync.Mutex // members are read concurrently
		in.Debugf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(g.streams.ErrOut, format+"\n", args...)
		}
	}
	return in, nil
}

// positive refuses a zero or negative duration flag.
func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return usageError(fmt.Errorf("%s must be a positive duration such as 10s, got %s", flag, d))
	}
	return nil
}
