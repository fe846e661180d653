package configs

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// TestShellcheck fails on any shellcheck finding in any pod script.
func TestShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck): the pod scripts were not linted")
	}
	scripts, err := filepath.Glob("scripts/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	args := []string{"--external-sources", "--source-path=SCRIPTDIR", "--shell=bash"}
	for _, s := range scripts {
		args = append(args, filepath.Base(s))
	}
	cmd := exec.Command("shellcheck", args...)
	cmd.Dir = "scripts"
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("shellcheck %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestScriptsAndConfigAreEmbedded(t *testing.T) {
	scripts, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	sourced := []string{"lib.sh", "statements.sh", "position.sh", "clone-methods.sh", "replication.sh"}
	for _, name := range append([]string{ScriptInitConfig, ScriptClone, ScriptSidecar, ScriptProbe, ScriptBackupStream, ScriptRestore}, sourced...) {
		if !strings.HasPrefix(scripts[name], "#!/bin/bash\n") {
			t.Errorf("script %s missing or without a bash shebang", name)
		}
		if !slices.Contains(sourced, name) && !strings.Contains(scripts[name], "set -euo pipefail") {
			t.Errorf("script %s does not set -euo pipefail", name)
		}
	}
	for _, flavor := range []string{"mysql", "mariadb", "mysql57"} {
		cnf, err := ServerConfig(flavor)
		if err != nil {
			t.Fatal(err)
		}
		if len(cnf) != 3 || !strings.Contains(cnf["replica.cnf"], "read_only=ON") {
			t.Errorf("flavour %s: cnf files %v, want common/primary/replica with read_only=ON in replica.cnf", flavor, keys(cnf))
		}
		if flavor != "mariadb" && !strings.Contains(cnf["replica.cnf"], "super_read_only=ON") {
			t.Errorf("flavour %s: replica.cnf lacks super_read_only=ON", flavor)
		}
	}
	if _, err := ServerConfig("postgres"); err == nil {
		t.Error("ServerConfig(postgres) succeeded")
	}
	if len(ExampleConfig()) == 0 {
		t.Error("example config is empty")
	}
}

func keys(m map[string]string) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}

// runBash runs a bash snippet with the scripts directory as $S and env.
func runBash(t *testing.T, snippet string, env ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dir, err := filepath.Abs("scripts")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", "set -euo pipefail; S="+dir+"; "+snippet)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "FLAVOR=mariadb", "CLUSTER_NAME=mysql"}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// writeStatements renders the statement files of a server into dir, as the
// ConfigMap carries them next to the scripts, and returns dir.
func writeStatements(t *testing.T, dir string, flavour sql.Flavour, version string) string {
	t.Helper()
	files, err := sql.PodStatements(flavour, version)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runBashSplit runs a bash snippet like runBash, with args as "$@", and
// returns stdout and stderr apart.
func runBashSplit(t *testing.T, snippet string, args []string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	dir, err := filepath.Abs("scripts")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{"-c", "set -euo pipefail; S=" + dir + "; " + snippet, "bash"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "FLAVOR=mariadb", "CLUSTER_NAME=mysql"}, env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}
