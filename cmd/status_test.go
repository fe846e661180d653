package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster"
)

// Bad input is refused before any connection, with exit code 2.
func TestStatusAndCheckUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"status", "-o", "xml"}, `output format "xml" is not known: pass -o table, wide, json or yaml`},
		{[]string{"status", "--pod-timeout", "0s"}, "--pod-timeout must be a positive duration"},
		{[]string{"status", "--watch", "--interval", "-1s"}, "--interval must be a positive duration"},
		{[]string{"status", "extra"}, `status takes no arguments, got "extra"`},
		{[]string{"status", "--timeout", "0s"}, "--timeout must be a positive duration"},
		{[]string{"check", "--timeout=-1s"}, "--timeout must be a positive duration"},
		{[]string{"check", "-o", "csv"}, `output format "csv" is not known`},
		{[]string{"check", "--max-lag", "-5s"}, "--max-lag must be 0 or more"},
		{[]string{"check", "--max-lag", "ten"}, "invalid argument"},
		{[]string{"check", "--name", "Bad_Name"}, `name "Bad_Name" is not usable`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runMysqlctl(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tt.want)
			}
		})
	}
}

// Without a usable kubeconfig the commands cannot run: exit code 1.
func TestStatusAndCheckCannotRun(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-kubeconfig")
	for _, command := range []string{"status", "check"} {
		code, stdout, stderr := runMysqlctl(t, command, "--kubeconfig", missing)
		if code != exitError || !strings.HasPrefix(stderr, "Error: ") || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and one Error line", command, code, stdout, stderr)
		}
	}
}

func TestCheckOutcome(t *testing.T) {
	for verdict, want := range map[cluster.Verdict]int{cluster.Pass: exitOK, cluster.Warn: exitOK, cluster.Fail: exitUnhealthy} {
		err := checkOutcome(&cluster.CheckReport{Verdict: verdict, Cluster: cluster.ClusterSummary{Name: "mysql"}})
		code := exitOK
		var coded *exitCodeError
		if errors.As(err, &coded) {
			code = coded.code
		}
		if code != want {
			t.Errorf("%s: exit %d, want %d", verdict, code, want)
		}
	}
}

// Every command refuses a positional argument the same way, and an unknown
// command is bad input too: exit 2, one line, nothing contacted.
func TestArgumentsAreUsageErrors(t *testing.T) {
	for _, command := range []string{"up", "scale", "down", "render", "status", "check", "version"} {
		code, stdout, stderr := runMysqlctl(t, command, "extra")
		want := "Error: " + command + ` takes no arguments, got "extra"`
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s extra: exit %d, stdout %q, stderr %q; want exit 2 and %q", command, code, stdout, stderr, want)
		}
	}
	for _, args := range [][]string{{"reclone"}, {"reclone", "mysql-1", "mysql-2"}} {
		code, _, stderr := runMysqlctl(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "reclone needs one pod name") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 asking for one pod", args, code, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"promote", "mysql-1", "mysql-2"}, "promote takes at most one pod name, got 2 arguments"},
		{[]string{"promote", "--adopt"}, "--adopt records the one writable server as the primary: name it"},
	} {
		code, _, stderr := runMysqlctl(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", tc.args, code, stderr, tc.want)
		}
	}
	code, _, stderr := runMysqlctl(t, "stauts")
	if code != exitUsage || !strings.Contains(stderr, `unknown command "stauts"`) || !strings.Contains(stderr, "status") {
		t.Errorf("stauts: exit %d, stderr %q; want exit 2 suggesting status", code, stderr)
	}
	code, stdout, _ := runMysqlctl(t)
	if code != exitOK || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("no command: exit %d; want the help on stdout", code)
	}
}

// render --example-config prints the documented example, byte for byte.
func TestRenderExampleConfig(t *testing.T) {
	code, stdout, stderr := runMysqlctl(t, "render", "--example-config")
	want, err := os.ReadFile("../configs/mysqlctl.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if code != exitOK || stdout != string(want) {
		t.Errorf("exit %d, stderr %q; stdout differs from configs/mysqlctl.example.yaml", code, stderr)
	}
}

func TestCredentialsUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"credentials", "-o", "wide"}, {"credentials", "-o", "xml"}, {"credentials", "--timeout", "0s"}} {
		code, stdout, stderr := runMysqlctl(t, args...)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "Error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2", args, code, stdout, stderr)
		}
	}
}

func TestSQLTakesOnePodBeforeTheDash(t *testing.T) {
	code, stdout, stderr := runMysqlctl(t, "sql", "mysql-1", "mysql-2")
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "sql takes at most one pod") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2", code, stdout, stderr)
	}
}

// Every command's bounds are checked in one place, before the command does
// anything: backup has not created its output file when it refuses.
func TestEveryBoundMustBePositive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "b.backup")
	for _, args := range [][]string{
		{"up", "--timeout", "0s"}, {"down", "--timeout", "-1s"}, {"scale", "--replicas", "2", "--timeout", "0s"},
		{"reclone", "mysql-1", "--timeout", "0s"}, {"switchover", "--catch-up", "0s"}, {"promote", "mysql-1", "--timeout", "0s"}, {"promote", "mysql-1", "--catch-up", "-5s"},
		{"credentials", "--timeout", "0s"}, {"backup", "-o", out, "--timeout", "0s"},
	} {
		code, stdout, stderr := runMysqlctl(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "must be a positive duration") || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 refusing the bound", args, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("backup refused its --timeout but left %s (stat: %v)", out, err)
	}
}
