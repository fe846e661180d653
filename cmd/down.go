package cmd

import "github.com/spf13/cobra"

// TODO(owner): placeholder so the command tree builds; replaced by the real command.
func newDownCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "down", Hidden: true}
}
