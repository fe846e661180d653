package cmd

import "github.com/spf13/cobra"

// TODO(owner): placeholder so the command tree builds; replaced by the real command.
func newCheckCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "check", Hidden: true}
}
