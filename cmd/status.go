package cmd

import "github.com/spf13/cobra"

// TODO(owner): placeholder so the command tree builds; replaced by the real command.
func newStatusCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "status", Hidden: true}
}
