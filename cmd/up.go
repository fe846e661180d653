package cmd

import (
	"errors"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type upOptions struct {
	createNamespace bool
	timeout         time.Duration
	fromBackup      string
	credentialsFrom string
	restartPrimary  bool
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

  # From a spec file (mysqlctl render --example-config writes one)
  mysqlctl up --config mysqlctl.yaml

  # A new cluster whose primary starts from a backup (mysqlctl backup -o)
  mysqlctl up --from-backup shop.backup -n shop-copy --create-namespace`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, allKeys()...)
	cmd.Flags().BoolVar(&o.createNamespace, "create-namespace", false, "create the namespace if it does not exist")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the servers to be ready")
	cmd.Flags().StringVar(&o.fromBackup, "from-backup", "", "make a new cluster whose primary starts from this backup file (mysqlctl backup -o)")
	cmd.Flags().BoolVar(&o.restartPrimary, "restart-primary", false, "let a rollout of a changed pod template restart the primary in place (writes stop while it restarts) instead of switching over to an updated replica first")
	cmd.Flags().StringVar(&o.credentialsFrom, "credentials-from", "", "with --from-backup: the backed-up cluster's Secret (YAML or JSON, as kubectl get secret -o yaml prints it), whose passwords the accounts keep; without it they get new ones")
	return cmd
}

func (o *upOptions) run(cmd *cobra.Command, g *globalOptions) error {
	restore, err := o.restoreOptions(g)
	if err != nil {
		return err
	}
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	c := s.cluster
	opts := cluster.UpOptions{CreateNamespace: o.createNamespace, Given: s.given, Restore: restore, RestartPrimary: o.restartPrimary}
	var progress *byteProgress
	if restore != nil {
		progress = newByteProgress(g)
		restore.Copied = progress.update
	}
	err = c.Up(s.ctx, s.spec, opts)
	if progress != nil {
		progress.end()
	}
	if err != nil {
		return err
	}
	if restore != nil {
		creds := "new passwords, set on the restored accounts (see mysqlctl credentials)"
		if restore.Credentials != nil {
			creds = "the backed-up cluster's, from " + o.credentialsFrom
		}
		fmt.Fprintf(g.streams.Out, "restored %s: %s; credentials: %s\n", o.fromBackup, describeBackup(restore.Info), creds)
	}
	fmt.Fprintf(g.streams.Out, "cluster %s is ready in namespace %s: write to %s, read from %s\n",
		c.Name(), c.Namespace(), c.WriteEndpoint(), c.ReadEndpoint())
	return nil
}

// restoreOptions reads and verifies the backup, and the backed-up
// cluster's Secret when given, before anything is contacted.
func (o *upOptions) restoreOptions(g *globalOptions) (*cluster.RestoreOptions, error) {
	if o.fromBackup == "" {
		if o.credentialsFrom != "" {
			return nil, usageError(errors.New("--credentials-from goes with --from-backup"))
		}
		return nil, nil
	}
	info, err := cluster.VerifyBackup(o.fromBackup)
	if err != nil {
		return nil, err
	}
	r := &cluster.RestoreOptions{File: o.fromBackup, Info: info}
	if o.credentialsFrom != "" {
		raw, err := os.ReadFile(o.credentialsFrom)
		if err != nil {
			return nil, usageError(fmt.Errorf("cannot read --credentials-from: %v", err))
		}
		var secret corev1.Secret
		if err := yaml.UnmarshalStrict(raw, &secret); err != nil || secret.Kind != "Secret" {
			return nil, usageError(fmt.Errorf("%s is not a Secret in YAML or JSON (kubectl get secret NAME -o yaml prints one)", o.credentialsFrom))
		}
		r.Credentials = map[string][]byte{}
		for k, v := range secret.Data {
			r.Credentials[k] = v
		}
		for k, v := range secret.StringData {
			r.Credentials[k] = []byte(v)
		}
	}
	return r, nil
}
