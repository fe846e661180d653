package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/kube"
)

// pingTimeout bounds the first call to the API server, so an unreachable
// cluster fails in seconds, not after the command's whole --timeout.
const pingTimeout = 10 * time.Second

// connect builds a Kubernetes client from the global flags and checks that
// the API server answers. namespace is the spec's (-n, MYSQLCTL_NAMESPACE or
// the config file, in that order); empty means the context's namespace.
func connect(ctx context.Context, g *globalOptions, namespace string) (*kube.Client, error) {
	client, err := kube.NewClient(connectOptions(g, namespace))
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

// connectOptions are the kubeconfig rules of the global flags with the
// namespace the spec resolved.
func connectOptions(g *globalOptions, namespace string) kube.ConnectOptions {
	return kube.ConnectOptions{Kubeconfig: g.kubeconfig, Context: g.context, Namespace: namespace}
}

// progress returns where use cases report progress: stderr, unless -q.
func progress(g *globalOptions) cluster.Progress {
	if g.quiet {
		return nil
	}
	return func(line string) { fmt.Fprintln(g.streams.ErrOut, line) }
}

// withTimeout bounds a whole command by its --timeout.
func withTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// session is what a command acting on a cluster starts with: its spec, a
// context bounded by --timeout, and a client whose API server answered.
type session struct {
	spec   cluster.Spec
	ctx    context.Context
	cancel context.CancelFunc
	client *kube.Client
}

// openSession loads and validates the spec before contacting anything, so
// bad input never reaches the cluster. The caller must call cancel.
func openSession(cmd *cobra.Command, g *globalOptions, timeout time.Duration) (*session, error) {
	spec, err := loadSpec(cmd, g)
	if err != nil {
		return nil, err
	}
	ctx, cancel := withTimeout(cmd.Context(), timeout)
	client, err := connect(ctx, g, spec.Namespace)
	if err != nil {
		cancel()
		return nil, err
	}
	return &session{spec: spec, ctx: ctx, cancel: cancel, client: client}, nil
}
