package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type checkOptions struct {
	output     string
	maxLag     time.Duration
	checksum   bool
	timeout    time.Duration
	podTimeout time.Duration
}

func newCheckCommand(g *globalOptions) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Judge a cluster's health, one named check per line, and exit 3 on any failure",
		Long: `Judge a cluster's health. Each check prints PASS, WARN or FAIL with a detail that
names the pods concerned: objects present, pods ready, servers reachable, one
writable primary at ordinal 0, unique server ids, read-only replicas, replication
threads running, replicas following the primary, lag within --max-lag, no
errant transactions, no replication errors; with --checksum, the user tables of
every server compared after the replicas caught up.

Exit codes: 0 every check passed or warned, 3 a check failed, 1 the checks
could not run (cluster not found, API unreachable), 2 bad usage.`,
		Example: `  # Check the cluster named mysql in the current namespace
  mysqlctl check

  # Stricter on lag, and compare the data of every server
  mysqlctl check --max-lag 2s --checksum

  # The failed checks, for a script
  mysqlctl check -o json | jq -r '.checks[] | select(.verdict == "FAIL") | .detail'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", string(outputTable), "output format: table, json or yaml")
	f.DurationVar(&o.maxLag, "max-lag", cluster.DefaultMaxLag, "highest replication lag that passes")
	f.BoolVar(&o.checksum, "checksum", false, "wait for the replicas to catch up, then compare CHECKSUM TABLE of every user table")
	f.DurationVar(&o.timeout, "timeout", time.Minute, "bound on the whole command")
	f.DurationVar(&o.podTimeout, "pod-timeout", cluster.DefaultPodTimeout, "bound on reading each server: port-forward, login and queries")
	return cmd
}

func (o *checkOptions) run(cmd *cobra.Command, g *globalOptions) error {
	format, err := parseOutput(o.output)
	if err != nil {
		return err
	}
	if o.maxLag < 0 {
		return usageError(fmt.Errorf("--max-lag must be 0 or more, got %s", o.maxLag))
	}
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout, podTimeout: o.podTimeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	// The catch-up wait gets at most half the command's time, so the
	// checksums themselves still have time to run.
	opts := cluster.CheckOptions{MaxLag: o.maxLag, Checksum: o.checksum, CatchUpTimeout: min(cluster.DefaultCatchUp, o.timeout/2)}
	report, err := s.cluster.Check(s.ctx, opts)
	if err != nil {
		return err
	}
	if err := printCheck(g.streams.Out, report, format); err != nil {
		return err
	}
	return checkOutcome(report)
}

// checkOutcome turns the verdict into the exit code: a failed check is
// exit code 3, with nothing more printed (the report said it all); a
// warning alone is not a failure.
func checkOutcome(r *cluster.CheckReport) error {
	if r.Verdict == cluster.Fail {
		return &exitCodeError{code: exitUnhealthy, err: fmt.Errorf("cluster %s failed its checks", r.Cluster.Name)}
	}
	return nil
}
