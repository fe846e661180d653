package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

// completionTimeout bounds the work behind one press of Tab: a shell that
// hangs for the whole connect timeout on an unreachable cluster is worse
// than no suggestions.
const completionTimeout = 5 * time.Second

// noFiles ends every suggestion list: no argument or flag of ours that
// completes names is ever a local file.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// lister reads names from the cluster a command line names.
type lister func(ctx context.Context, c *cluster.Cluster) ([]string, error)

// The listers of cluster/names.go.
func podNames(ctx context.Context, c *cluster.Cluster) ([]string, error) { return c.PodNames(ctx) }
func replicaNames(ctx context.Context, c *cluster.Cluster) ([]string, error) {
	return c.ReplicaNames(ctx)
}
func clusterNames(ctx context.Context, c *cluster.Cluster) ([]string, error) {
	return c.ClusterNames(ctx)
}

// completeNames suggests the names list finds that start with what is typed.
// The cluster is the one the command would act on: openSession reads
// --name, -n, --context, --kubeconfig, --config and MYSQLCTL_* exactly as
// the command does, since cobra has parsed the rest of the line. Any
// failure (bad input, no cluster reachable, RBAC) suggests nothing and
// prints nothing: Tab is no place for an error.
func completeNames(g *globalOptions, list lister) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		s, err := openSession(cmd, g, sessionOptions{timeout: completionTimeout})
		if err != nil {
			return nil, noFiles
		}
		defer s.cancel()
		names, err := list(s.ctx, s.cluster)
		if err != nil {
			return nil, noFiles
		}
		var out []cobra.Completion
		for _, n := range names {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out, noFiles
	}
}

// completeFirstArg completes the first positional argument only: after the
// pod there is nothing of ours to suggest. (It cannot tell "sql <Tab>" from
// "sql -- <Tab>": cobra parses the line with a -- of its own appended, so
// ArgsLenAtDash is never -1 while completing.)
func completeFirstArg(g *globalOptions, list lister) cobra.CompletionFunc {
	names := completeNames(g, list)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		return names(cmd, args, toComplete)
	}
}

// completeClusterNameFlags lets --name complete the clusters in the
// namespace, on every command that has the flag.
func completeClusterNameFlags(root *cobra.Command, g *globalOptions) {
	for _, c := range root.Commands() {
		if c.Flags().Lookup("name") != nil {
			mustCompleteFlag(c, "name", completeNames(g, clusterNames))
		}
	}
}

// mustCompleteFlag registers a flag's completion. It fails only for a flag
// the command lacks or one registered twice: a bug the tests catch at once.
func mustCompleteFlag(c *cobra.Command, flag string, f cobra.CompletionFunc) {
	if err := c.RegisterFlagCompletionFunc(flag, f); err != nil {
		panic(err)
	}
}
