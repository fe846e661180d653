package cmd

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

const (
	// programName is how help speaks of mysqlctl when it runs as itself.
	programName = "mysqlctl"
	// pluginBinary is the file name that makes kubectl run mysqlctl as
	// `kubectl mysqlctl`: kubectl runs any kubectl-<name> it finds on PATH
	// (https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/).
	pluginBinary = "kubectl-" + programName
	// pluginName is what a user types to run the plugin.
	pluginName = "kubectl " + programName
)

// displayName is the name a user ran mysqlctl by, as they would type it
// again: "kubectl mysqlctl" when the binary is kubectl's plugin, whatever
// directory it lies in (and with .exe on Windows), else "mysqlctl".
func displayName(invokedAs string) string {
	base := strings.TrimSuffix(filepath.Base(invokedAs), ".exe")
	if base == pluginBinary {
		return pluginName
	}
	return programName
}

// useDisplayName makes the help of every command show name instead of
// "mysqlctl". cobra prints usage lines through the root's display name
// annotation, which keeps the root's Name (and so the command path that
// completion and man pages are built from) "mysqlctl"; examples and long
// descriptions, written once for "mysqlctl", are rewritten wherever they
// show a command line ("mysqlctl status ...", "'mysqlctl up'"), but not where
// the word is a file or the program ("mysqlctl.yaml", "mysqlctl's").
func useDisplayName(root *cobra.Command, name string) {
	if name == programName {
		return
	}
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations[cobra.CommandDisplayNameAnnotation] = name
	var commands []string
	for _, c := range root.Commands() {
		commands = append(commands, regexp.QuoteMeta(c.Name()))
	}
	commandLine := regexp.MustCompile(`\b` + programName + `( (?:` + strings.Join(commands, "|") + `)\b)`)
	var rewrite func(c *cobra.Command)
	rewrite = func(c *cobra.Command) {
		c.Example = commandLine.ReplaceAllString(c.Example, name+"$1")
		c.Long = commandLine.ReplaceAllString(c.Long, name+"$1")
		for _, sub := range c.Commands() {
			rewrite(sub)
		}
	}
	rewrite(root)
}
