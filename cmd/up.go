package cmd

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type upOptions struct {
	createNamespace bool
	timeout         time.Duration
}

func newUpCommand(g *globalOptions) *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update a replicated MySQL cluster and wait until every server is ready",
		Example: `  # A primary and two replicas of MySQL 8.4 in the current namespace
  mysqlctl up

  # MariaDB, five servers, in a new namespace
  mysqlctl up --flavor mariadb --replicas 5 -n db --create-namespace

  # From a spec file (see configs/mysqlctl.example.yaml)
  mysqlctl up --config mysqlctl.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd)
	cmd.Flags().BoolVar(&o.createNamespace, "create-namespace", false, "create the namespace if it does not exist")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the servers to be ready")
	return cmd
}

func (o *upOptions) run(cmd *cobra.Command, g *globalOptions) error {
	s, err := openSession(cmd, g, o.timeout)
	if err != nil {
		return err
	}
	defer s.cancel()
	spec, ctx, client := s.spec, s.ctx, s.client
	spec.Namespace = client.Namespace
	manager := &cluster.Manager{Kube: client, Progress: progress(g)}
	opts := cluster.UpOptions{CreateNamespace: o.createNamespace, ReplicasSet: specKeySet(cmd, g, "replicas")}
	if _, err := manager.Up(ctx, spec, opts); err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Out, "cluster %s is ready in namespace %s: write to %s, read from %s\n", spec.Name, spec.Namespace,
		cluster.PodHost(spec.Name, 0), cluster.ReadServiceName(spec.Name))
	return nil
}

// specKeySet says whether the user gave key explicitly, by flag, by
// environment or in the config file, as opposed to taking its default.
func specKeySet(cmd *cobra.Command, g *globalOptions, key string) bool {
	if cmd.Flags().Changed(key) {
		return true
	}
	if _, ok := os.LookupEnv(envName(key)); ok {
		return true
	}
	return configFileHasKey(g.configFile, key)
}

// configFileHasKey says whether the --config file sets key. An unreadable
// file was already reported by loadSpec.
func configFileHasKey(path, key string) bool {
	if path == "" {
		return false
	}
	values, err := readSpecFile(path)
	if err != nil {
		return false
	}
	_, ok := values[key]
	return ok
}
