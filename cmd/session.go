package cmd

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/kube"
)

// pingTimeout bounds the first call to the API server, so an unreachable
// cluster fails in seconds, not after the command's whole --timeout.
const pingTimeout = 10 * time.Second

// connect builds a Kubernetes client from the global flags and checks that
// the API server answers. An empty namespace means the context's.
func connect(ctx context.Context, g *globalOptions, namespace string) (*kube.Client, error) {
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: g.kubeconfig, Context: g.context, Namespace: namespace})
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := client.Ping(pingCtx); err != nil {
		return nil, err
	}
	return client, nil
}

// session is what every command acting on a cluster starts with: its
// input, a context bounded by --timeout, and the cluster's handle, whose
// API server answered.
type session struct {
	input
	ctx     context.Context
	cancel  context.CancelFunc
	cluster *cluster.Cluster
}

// sessionOptions are what a command asks of its session beyond the spec.
type sessionOptions struct {
	// timeout bounds the context; 0 leaves it unbounded (status --watch
	// bounds each refresh itself).
	timeout time.Duration
	// podTimeout bounds the work on each server (cluster.DefaultPodTimeout
	// if 0).
	podTimeout time.Duration
	// check runs on the input before any connection.
	check func(input) error
}

// openSession is every command's one prologue. It loads and validates the
// spec before contacting anything, so bad input never reaches the cluster,
// and makes the cluster's handle with everything it needs. The caller must
// call cancel.
func openSession(cmd *cobra.Command, g *globalOptions, o sessionOptions) (*session, error) {
	in, err := loadSpec(cmd, g, true)
	if err != nil {
		return nil, err
	}
	if o.check != nil {
		if err := o.check(in); err != nil {
			return nil, err
		}
	}
	ctx, cancel := withTimeout(cmd.Context(), o.timeout)
	client, err := connect(ctx, g, in.namespace)
	if err != nil {
		cancel()
		return nil, err
	}
	opts := cluster.Options{
		Changed:    func(line string) { fmt.Fprintln(g.streams.Out, line) },
		PodTimeout: o.podTimeout,
	}
	if !g.quiet {
		opts.Progress = func(line string) { fmt.Fprintln(g.streams.ErrOut, line) }
	}
	if g.verbosity > 0 {
		var mu sync.Mutex // members are read concurrently
		opts.Debugf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(g.streams.ErrOut, format+"\n", args...)
		}
	}
	c := cluster.New(client, in.spec.Name, opts)
	return &session{input: in, ctx: ctx, cancel: cancel, cluster: c}, nil
}

// withTimeout bounds a context by timeout; 0 means no bound.
func withTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// boundFlags are the duration flags that bound a wait: zero or negative
// makes no sense for any of them.
var boundFlags = []string{"timeout", "pod-timeout", "catch-up", "interval"}

// checkBounds refuses a zero or negative bound among the flags cmd has.
func checkBounds(cmd *cobra.Command) error {
	for _, name := range boundFlags {
		if cmd.Flags().Lookup(name) == nil {
			continue
		}
		d, err := cmd.Flags().GetDuration(name)
		if err != nil {
			continue // not a duration here
		}
		if err := positive("--"+name, d); err != nil {
			return err
		}
	}
	return nil
}

// positive refuses a zero or negative duration flag.
func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return usageError(fmt.Errorf("%s must be a positive duration such as 10s, got %s", flag, d))
	}
	return nil
}

// noArgs refuses positional arguments as bad usage (exit code 2), with the
// same sentence on every command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := fmt.Sprintf("see '%s --help'", cmd.CommandPath())
	if cmd.Flags().Lookup("name") != nil {
		hint = fmt.Sprintf("a cluster is named with --name, e.g. --name %s", args[0])
	}
	return usageError(fmt.Errorf("%s takes no arguments, got %q: %s", cmd.Name(), args[0], hint))
}
