package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/kube"
)

// pingTimeout bounds the first call to the API server, so an unreachable
// cluster fails in seconds, not after the command's whole --timeout.
const pingTimeout = 10 * time.Second

// connect builds a Kubernetes client from the global flags and checks that
// the API server answers.
func connect(ctx context.Context, g *globalOptions) (*kube.Client, error) {
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: g.kubeconfig, Context: g.context, Namespace: g.namespace})
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
