package cmd

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runAs is runMysqlctl started under another program name (os.Args[0]).
func runAs(t *testing.T, invokedAs string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), invokedAs, args, Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

// A line of help that shows the plain program's command line.
var plainCommandLine = regexp.MustCompile(`(?m)^  mysqlctl `)

// Installed as kubectl-mysqlctl, help shows the command lines a kubectl
// user types; as mysqlctl, the plain ones.
func TestHelpFollowsInvokedName(t *testing.T) {
	for _, tc := range []struct {
		invokedAs string
		want      string // the name help must show
	}{
		{"kubectl-mysqlctl", "kubectl mysqlctl"},
		{"/home/me/.krew/bin/kubectl-mysqlctl", "kubectl mysqlctl"},
		{`kubectl-mysqlctl.exe`, "kubectl mysqlctl"},
		{"mysqlctl", "mysqlctl"},
		{"./bin/mysqlctl", "mysqlctl"},
		{"kubectl-mysqlctl-old", "mysqlctl"},
	} {
		for _, args := range [][]string{{"--help"}, {"status", "--help"}} {
			t.Run(tc.invokedAs+" "+strings.Join(args, " "), func(t *testing.T) {
				code, stdout, stderr := runAs(t, tc.invokedAs, args...)
				if code != exitOK || stderr != "" {
					t.Fatalf("exit %d, stderr %q", code, stderr)
				}
				if !strings.Contains(stdout, "\n  "+tc.want+" status\n") {
					t.Errorf("help shows no example line %q:\n%s", tc.want+" status", stdout)
				}
				plugin := tc.want != programName
				if plugin && plainCommandLine.MatchString(stdout) {
					t.Errorf("plugin help still shows a line starting with %q:\n%s", "  mysqlctl ", stdout)
				}
				if !plugin && strings.Contains(stdout, "kubectl") {
					t.Errorf("plain help mentions kubectl:\n%s", stdout)
				}
			})
		}
	}
}

// Every command's examples, usage line and long description speak of the
// plugin, and only command lines are rewritten.
func TestPluginHelpOfEveryCommand(t *testing.T) {
	root := NewRootCommand("kubectl-mysqlctl", Streams{})
	if got := root.Name(); got != "mysqlctl" {
		t.Errorf("root name %q: completion functions and man pages need mysqlctl", got)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !strings.HasPrefix(c.UseLine(), "kubectl mysqlctl") {
			t.Errorf("usage of %s: %q", c.Name(), c.UseLine())
		}
		if plainCommandLine.MatchString(c.Example) {
			t.Errorf("example of %s still shows mysqlctl:\n%s", c.Name(), c.Example)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	up, _, err := root.Find([]string{"up"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# From a spec file (kubectl mysqlctl render --example-config writes one)", "--config mysqlctl.yaml"} {
		if !strings.Contains(up.Example, want) {
			t.Errorf("up's example lacks %q:\n%s", want, up.Example)
		}
	}
	render, _, _ := root.Find([]string{"render"})
	if !strings.Contains(render.Long, "'kubectl mysqlctl up'") {
		t.Errorf("render's description still names mysqlctl up:\n%s", render.Long)
	}
	sqlCmd, _, _ := root.Find([]string{"sql"})
	if !strings.Contains(sqlCmd.Long, "exit code is mysqlctl's") {
		t.Errorf("sql's description changed a word that is no command line:\n%s", sqlCmd.Long)
	}
}

// The hint of a usage error names the help command the user can run.
func TestUsageHintFollowsInvokedName(t *testing.T) {
	code, _, stderr := runAs(t, "kubectl-mysqlctl", "version", "extra")
	if code != exitUsage || !strings.Contains(stderr, "see 'kubectl mysqlctl version --help'") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runAs(t, "kubectl-mysqlctl", "stauts")
	if code != exitUsage || !strings.Contains(stderr, "run 'kubectl mysqlctl --help'") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
