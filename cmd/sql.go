package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/tools/remotecommand"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type sqlOptions struct {
	execute string
	read    bool
}

func newSQLCommand(g *globalOptions) *cobra.Command {
	o := &sqlOptions{}
	cmd := &cobra.Command{
		Use:   "sql [POD] [-- CLIENT-ARGS...]",
		Short: "Run the database client inside a server, logged in with the cluster's credentials",
		Long: `Run the flavour's database client (mariadb or mysql) inside a server's
container, through the Kubernetes API, logged in as root with the password the
cluster holds: you never type or see it, and no port opens on your machine.
Interactive on a terminal; otherwise it reads statements from standard input.
The client's exit code is mysqlctl's.`,
		Example: `  # A session on the primary
  mysqlctl sql

  # One statement on a replica, and one through the read Service
  mysqlctl sql mysql-1 -e "SELECT @@server_id"
  mysqlctl sql --read -e "SELECT @@hostname"

  # A dump back in, or the client's own flags after --
  mysqlctl sql < dump.sql
  mysqlctl sql -- --table -e "SHOW DATABASES"`,
		Args:              podThenClientArgs,
		ValidArgsFunction: completeFirstArg(g, podNames),
		RunE:              func(cmd *cobra.Command, args []string) error { return o.run(cmd, g, args) },
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().StringVarP(&o.execute, "execute", "e", "", "run this statement and exit")
	cmd.Flags().BoolVar(&o.read, "read", false, "connect through the read Service (any ready server) instead of the pod's own server")
	return cmd
}

func (o *sqlOptions) run(cmd *cobra.Command, g *globalOptions, args []string) error {
	s, err := openSession(cmd, g, sessionOptions{})
	if err != nil {
		return err
	}
	defer s.cancel()
	opts := cluster.SQLOptions{Read: o.read}
	dash := cmd.ArgsLenAtDash()
	if dash < 0 {
		dash = len(args)
	}
	if dash == 1 {
		opts.Pod = args[0]
	}
	opts.Args = args[dash:]
	if o.execute != "" {
		opts.Args = append([]string{"--execute=" + o.execute}, opts.Args...)
	}
	opts.Stdout, opts.Stderr = g.streams.Out, g.streams.ErrOut
	if o.execute == "" { // with -e the client reads nothing
		opts.Stdin = g.streams.In
	}
	in, interactive := g.streams.In.(*os.File)
	if interactive && o.execute == "" && term.IsTerminal(int(in.Fd())) && isSmartTerminal(g.streams.Out) {
		restore, err := term.MakeRaw(int(in.Fd()))
		if err != nil {
			return fmt.Errorf("put the terminal in raw mode: %w", err)
		}
		defer func() { _ = term.Restore(int(in.Fd()), restore) }()
		opts.TTY, opts.Sizes = true, newSizeQueue(s, int(in.Fd()))
	}
	return s.cluster.SQL(s.ctx, opts)
}

// podThenClientArgs: at most one pod before --, anything after it.
func podThenClientArgs(cmd *cobra.Command, args []string) error {
	before := cmd.ArgsLenAtDash()
	if before < 0 {
		before = len(args)
	}
	if before > 1 {
		return usageError(fmt.Errorf("sql takes at most one pod, got %q: put the client's own arguments after --, e.g. mysqlctl sql mysql-1 -- --table", args[:before]))
	}
	return nil
}

// sizeQueue reports the terminal's size at start and on every SIGWINCH,
// until the session ends.
type sizeQueue struct {
	fd      int
	changed chan os.Signal
	done    <-chan struct{}
	first   bool
}

func newSizeQueue(s *session, fd int) *sizeQueue {
	q := &sizeQueue{fd: fd, changed: make(chan os.Signal, 1), done: s.ctx.Done(), first: true}
	signal.Notify(q.changed, syscall.SIGWINCH)
	return q
}

func (q *sizeQueue) Next() *remotecommand.TerminalSize {
	if !q.first {
		select {
		case <-q.changed:
		case <-q.done:
			signal.Stop(q.changed)
			return nil
		}
	}
	q.first = false
	w, h, err := term.GetSize(q.fd)
	if err != nil {
		return nil
	}
	return &remotecommand.TerminalSize{Width: uint16(w), Height: uint16(h)}
}
