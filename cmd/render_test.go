package cmd

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites golden files: go test ./cmd -run Render -update. Other
// golden tests of this package use the same flag.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// runMysqlctl runs the real root command with args, as a user would.
func runMysqlctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), "mysqlctl", args, Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, path string, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -run Render -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got), rerun with -update if intended:\n%s", path, diff)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, flavor := range []string{"mysql", "mariadb", "mysql57"} {
		t.Run(flavor, func(t *testing.T) {
			clearSpecEnv(t)
			code, out, errOut := runMysqlctl(t, "render", "--flavor", flavor)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			golden(t, filepath.Join("testdata", "render-"+flavor+".yaml"), out)
		})
	}
}

// TestRenderMetrics shows the exporter, its Secret (no password in it) and
// the Prometheus Operator's objects of a cluster with metrics.
func TestRenderMetrics(t *testing.T) {
	clearSpecEnv(t)
	code, out, errOut := runMysqlctl(t, "render", "-n", "db", "--flavor", "mariadb", "--metrics", "true",
		"--network-policy", "true", "--metrics-from", "monitoring")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"kind: PodMonitor", "kind: PrometheusRule", "name: mysql-metrics", "containerPort: 9104", "kubernetes.io/metadata.name: monitoring"} {
		if !strings.Contains(out, want) {
			t.Errorf("render with metrics has no %q", want)
		}
	}
	if !strings.Contains(out, "name: mysql-metrics\n  namespace: db\nstringData:\n  my.cnf: \"\"\n") {
		t.Error("render's metrics Secret is not an empty placeholder")
	}
	golden(t, filepath.Join("testdata", "render-mariadb-metrics.yaml"), out)
}

func TestRenderHonoursTheSpec(t *testing.T) {
	clearSpecEnv(t)
	t.Setenv("MYSQLCTL_STORAGE", "1Gi")
	code, out, errOut := runMysqlctl(t, "render", "-n", "db", "--name", "shop", "--replicas", "5", "--flavor", "mariadb")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"name: shop-credentials\n", "namespace: db\n", "replicas: 5\n", "storage: 1Gi\n",
		"image: mariadb:10.11\n", "value: shop\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(out, "\n---\n"); n != 7 {
		t.Errorf("%d document separators, want 7 (8 objects)", n)
	}
}

func TestRenderBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"render", "--replicas", "abc"}, "Error: replicas must be a whole number ≥ 1, got \"abc\": pass --replicas 1 or more\n"},
		{[]string{"render", "--flavor", "oracle"}, "Error: flavor \"oracle\" is not known: pass --flavor mysql, mariadb or mysql57\n"},
		{[]string{"render", "mycluster"}, "Error: render takes no arguments, got \"mycluster\": a cluster is named with --name, e.g. --name mycluster\n"},
		{[]string{"render", "--no-such-flag"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			clearSpecEnv(t)
			code, out, errOut := runMysqlctl(t, tt.args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want exit %d and nothing on stdout", code, out, exitUsage)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "Error: ") {
				t.Errorf("stderr %q, want one Error: line", errOut)
			}
			if tt.want != "" && errOut != tt.want {
				t.Errorf("stderr\n %q\nwant\n %q", errOut, tt.want)
			}
		})
	}
}
