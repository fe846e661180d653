package configs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	for _, name := range []string{ScriptInitConfig, ScriptClone, ScriptSidecar, ScriptProbe,
		"lib.sh", "position.sh", "clone-methods.sh", "replication.sh", "backup-stream.sh"} {
		if !strings.HasPrefix(scripts[name], "#!/bin/bash\n") {
			t.Errorf("script %s missing or without a bash shebang", name)
		}
		if name != "lib.sh" && name != "position.sh" && name != "clone-methods.sh" && name != "replication.sh" &&
			!strings.Contains(scripts[name], "set -euo pipefail") {
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
