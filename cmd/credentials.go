package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type credentialsOptions struct {
	output        string
	showPasswords bool
	ca            bool
	timeout       time.Duration
}

func newCredentialsCommand(g *globalOptions) *cobra.Command {
	o := &credentialsOptions{}
	cmd := &cobra.Command{
		Use:   "credentials",
		Short: "Show how to connect: hosts, port, accounts and the Secret that holds their passwords",
		Long: `Show how a client inside the Kubernetes cluster connects: the write host (the
primary), the read host (every ready server), each server's own host, the port,
the accounts and the Secret keys holding their passwords. Passwords are printed
only with --show-passwords. -o env prints lines a shell or a program can source.
--ca prints the CA certificate clients verify the servers' certificate with.`,
		Example: `  # Where to connect and as whom
  mysqlctl credentials

  # Variables for a client: MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, ...
  mysqlctl credentials -o env --show-passwords > mysql.env

  # The CA, for a client that verifies the server (mariadb --ssl-ca=ca.pem --ssl-verify-server-cert)
  mysqlctl credentials --ca > ca.pem`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, json, yaml or env")
	f.BoolVar(&o.showPasswords, "show-passwords", false, "also print the passwords (read from the Secret)")
	f.BoolVar(&o.ca, "ca", false, "print only the cluster's CA certificate (PEM)")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "bound on the whole command")
	return cmd
}

func (o *credentialsOptions) run(cmd *cobra.Command, g *globalOptions) error {
	if o.output != "env" {
		if _, err := parseOutput(o.output); err != nil || o.output == string(outputWide) {
			return usageError(fmt.Errorf("output format %q is not known: pass -o table, json, yaml or env", o.output))
		}
	}
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		return err
	}
	defer s.cancel()
	if o.ca {
		pem, err := s.cluster.CACertificate(s.ctx)
		if err != nil {
			return err
		}
		_, err = g.streams.Out.Write(pem)
		return err
	}
	conn, err := s.cluster.Credentials(s.ctx, o.showPasswords)
	if err != nil {
		return err
	}
	switch o.output {
	case "env":
		return writeEnv(g.streams.Out, conn)
	case string(outputJSON), string(outputYAML):
		return writeData(g.streams.Out, outputFormat(o.output), conn)
	}
	return writeConnection(g.streams.Out, conn)
}

// writeEnv prints shell-sourceable lines for the root account, the one
// for applications. Values are single-quoted for the shell.
func writeEnv(w io.Writer, c *cluster.Connection) error {
	root := c.Accounts[0]
	lines := [][2]string{
		{"MYSQL_HOST", c.WriteHost}, {"MYSQL_READ_HOST", c.ReadHost}, {"MYSQL_PORT", fmt.Sprint(c.Port)},
		{"MYSQL_USER", root.User}, {"MYSQL_PASSWORD_SECRET", c.Secret}, {"MYSQL_PASSWORD_KEY", root.SecretKey},
		{"MYSQL_TLS_CA_SECRET", c.TLS.CASecret}, {"MYSQL_TLS_CA_KEY", c.TLS.CAKey},
	}
	if root.Password != "" {
		lines = append(lines, [2]string{"MYSQL_PASSWORD", root.Password})
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%s=%s\n", l[0], shellQuote(l[1])); err != nil {
			return err
		}
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// writeConnection prints the human view.
func writeConnection(w io.Writer, c *cluster.Connection) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cluster %s in namespace %s, port %d\n", c.Cluster, c.Namespace, c.Port)
	fmt.Fprintf(&b, "  write to:   %s\n", c.WriteHost)
	fmt.Fprintf(&b, "  read from:  %s\n", c.ReadHost)
	fmt.Fprintf(&b, "  servers:    %s\n", strings.Join(c.PodHosts, ", "))
	fmt.Fprintf(&b, "  TLS:        %s for clients; the servers' CA is key %s of secret %s (mysqlctl credentials --ca)\n", c.TLS.Clients, c.TLS.CAKey, c.TLS.CASecret)
	fmt.Fprintf(&b, "passwords in secret %s:\n", c.Secret)
	var rows [][]string
	for _, a := range c.Accounts {
		pw := "(--show-passwords)"
		if a.Password != "" {
			pw = a.Password
		}
		rows = append(rows, []string{a.User, a.SecretKey, pw, a.Purpose})
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return writeTable(w, []string{"USER", "SECRET KEY", "PASSWORD", "PURPOSE"}, rows)
}
