package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

// version is set at build time: -ldflags "-X github.com/mysqlctl/mysqlctl/cmd.version=v1.2.3".
var version = "dev"

func newVersionCommand(g *globalOptions) *cobra.Command {
	var server bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of mysqlctl (and with --server, of the Kubernetes API server)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(g.streams.Out, "mysqlctl %s\n", version)
			if !server {
				return nil
			}
			client, err := connect(cmd.Context(), g, g.namespace)
			if err != nil {
				return err
			}
			v, err := client.ServerVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "kubernetes %s at %s\n", v, client.Host())
			return nil
		},
	}
	cmd.Flags().BoolVar(&server, "server", false, "also contact the Kubernetes API server and print its version")
	return cmd
}

// Version is the version this build was stamped with ("dev" without
// -ldflags), for the man pages cmd/gendocs writes.
func Version() string { return version }
