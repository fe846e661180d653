// Package cmd is mysqlctl's command line: it resolves the spec from flags,
// MYSQLCTL_* variables and --config, connects with the kubectl-style flags
// (kube.NewClient, then a ping), runs one of the cluster package's use
// cases, and prints its report as text, JSON or YAML; errors become one
// line and an exit code. It also completes names in the shell and runs the
// sql client's terminal. What to do to Kubernetes objects or MySQL servers
// is decided in cluster, not here.
package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/kube"
)

// Streams are where a command reads and writes, so tests can capture them.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	kubeconfig string
	context    string
	namespace  string
	configFile string
	verbosity  int
	quiet      bool
	streams    Streams
}

// Execute runs mysqlctl with the process's arguments and returns its exit code.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// client-go reports a refused connection inside a port-forward on
	// stderr by itself; status already lists that pod's error under its
	// table, so the raw line would only be noise. Set once, before any
	// client-go goroutine starts.
	kube.SilencePortForwardErrors(nil)
	return run(ctx, os.Args[0], os.Args[1:], Streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
}

// run is Execute without the process: tests call it with their own program
// name, arguments and streams.
func run(ctx context.Context, invokedAs string, args []string, streams Streams) int {
	root := NewRootCommand(invokedAs, streams)
	root.SetArgs(args)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	return reportError(streams.ErrOut, err)
}

// NewRootCommand builds mysqlctl's command tree. invokedAs is the program's
// path as started (os.Args[0]): help and examples follow the name it was run
// by, so the kubectl plugin's say "kubectl mysqlctl". cmd/gendocs builds the
// same tree for the man pages and completion scripts.
func NewRootCommand(invokedAs string, streams Streams) *cobra.Command {
	g := &globalOptions{streams: streams}
	root := &cobra.Command{
		Use:   "mysqlctl",
		Short: "Run a replicated MySQL on Kubernetes and tell the truth about it",
		Example: `  # A primary and two replicas, ready when it returns
  mysqlctl up

  # What every server says about itself, and the same facts as verdicts
  mysqlctl status
  mysqlctl check

  # Stop it; the data stays for the next up
  mysqlctl down`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runnable with any arguments, so an unknown command reaches
		// unknownCommand (exit 2) instead of cobra's own error (exit 1).
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return unknownCommand(cmd, args[0])
		},
		// Before any command does anything: a zero or negative bound is
		// refused whichever command has it.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return checkBounds(cmd) },
	}
	root.SuggestionsMinimumDistance = 2 // cobra sets it only on its own error path
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	flags := root.PersistentFlags()
	flags.StringVar(&g.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	flags.StringVar(&g.context, "context", "", "kubeconfig context to use")
	flags.StringVarP(&g.namespace, "namespace", "n", "", "namespace of the cluster (default: the context's namespace)")
	flags.StringVar(&g.configFile, "config", "", "cluster spec file (YAML)")
	flags.CountVarP(&g.verbosity, "verbose", "v", "more detail on stderr (repeat for more)")
	flags.BoolVarP(&g.quiet, "quiet", "q", false, "no progress on stderr")

	root.AddCommand(
		newUpCommand(g),
		newScaleCommand(g),
		newRecloneCommand(g),
		newSwitchoverCommand(g),
		newPromoteCommand(g),
		newBackupCommand(g),
		newDownCommand(g),
		newRenderCommand(g),
		newStatusCommand(g),
		newCheckCommand(g),
		newCredentialsCommand(g),
		newRotatePasswordsCommand(g),
		newSQLCommand(g),
		newVersionCommand(g),
	)
	completeClusterNameFlags(root, g)
	useDisplayName(root, displayName(invokedAs))
	return root
}

// unknownCommand refuses a command name mysqlctl does not have, suggesting
// the nearest one.
func unknownCommand(root *cobra.Command, name string) error {
	hint := fmt.Sprintf("run '%s --help' for the list of commands", root.CommandPath())
	if s := root.SuggestionsFor(name); len(s) > 0 {
		hint = "did you mean " + strings.Join(s, " or ") + "? (" + hint + ")"
	}
	return usageError(fmt.Errorf("unknown command %q: %s", name, hint))
}
