package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestBadInput: every bad input gets a one-line error that says what to do,
// a non-zero exit code, and leaves the cluster as it was.
func TestBadInput(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	ctx := context.Background()
	ns := c.namespace(t, "bad")
	flags := []string{"-n", ns, "--flavor", "mariadb", "--image", c.mariadbImage}
	dir := t.TempDir()
	unknownKey := filepath.Join(dir, "unknown.yaml")
	writeFile(t, unknownKey, "name: mysql\nreplicaz: 3\n")
	duplicateKey := filepath.Join(dir, "duplicate.yaml")
	writeFile(t, duplicateKey, "replicas: 3\nreplicas: 4\n")
	unreachable := filepath.Join(dir, "unreachable.kubeconfig")
	writeFile(t, unreachable, `apiVersion: v1
kind: Config
clusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: x, user: {token: t}}]
contexts: [{name: x, context: {cluster: x, user: x}}]
current-context: x
`)
	cases := []struct {
		name string
		env  []string
		args []string
		want string // a fragment of the error line
		code int
	}{
		{"replicas 0", nil, append([]string{"up", "--replicas", "0"}, flags...), "replicas", 2},
		{"replicas -1", nil, append([]string{"up", "--replicas", "-1"}, flags...), "replicas", 2},
		{"replicas abc", nil, append([]string{"up", "--replicas", "abc"}, flags...), "replicas", 2},
		{"scale to 0", nil, []string{"scale", "--replicas", "0", "-n", ns}, "replicas", 2},
		{"scale without a size", nil, []string{"scale", "-n", ns}, "--replicas", 2},
		{"positional argument", nil, append([]string{"up", "mysql"}, flags...), "takes no arguments", 2},
		{"unknown command", nil, []string{"nosuchcommand"}, "unknown command", 2},
		{"timeout 0", nil, append([]string{"up", "--timeout", "0s"}, flags...), "--timeout", 2},
		{"negative timeout", nil, append([]string{"up", "--timeout=-5s"}, flags...), "--timeout", 2},
		{"duplicate config key", nil, append([]string{"up", "--config", duplicateKey}, flags...), "replicas", 2},
		{"invalid name", nil, append([]string{"up", "--name", "My_DB"}, flags...), "name", 2},
		{"unknown flavour", nil, []string{"up", "-n", ns, "--flavor", "postgres"}, "flavor", 2},
		// Checked once up read that no cluster runs: the default flavour's.
		{"a version of another flavour, new cluster", nil, []string{"up", "-n", ns, "--version", "11.8"}, `version "11.8" is not supported for flavor mysql`, 2},
		{"unknown config key", nil, append([]string{"up", "--config", unknownKey}, flags...), "replicaz", 2},
		{"unreachable API server", []string{"KUBECONFIG=" + unreachable}, append([]string{"up"}, flags...), "127.0.0.1:1", 1},
		{"missing namespace", nil, []string{"up", "-n", "no-such-namespace-x", "--flavor", "mariadb", "--image", c.mariadbImage}, "--create-namespace", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.mysqlctl(t, time.Minute, tc.env, tc.args...)
			assertOneLineError(t, res, tc.code, tc.want)
			if objs := c.ourObjects(t, ctx, ns); len(objs) != 0 {
				t.Errorf("bad input changed the cluster: %v", objs)
			}
		})
	}
	if _, err := c.client.CoreV1().Namespaces().Get(ctx, "no-such-namespace-x", metav1.GetOptions{}); err == nil {
		t.Errorf("a failed up created namespace no-such-namespace-x")
	}

	t.Run("image that no node holds and no registry serves", func(t *testing.T) {
		res := c.mysqlctl(t, time.Minute, nil, "up", "-n", ns, "--name", "noimage", "--flavor", "mariadb",
			"--image", "localhost/no-such-image:0", "--replicas", "1")
		assertOneLineError(t, res, 2, "localhost/no-such-image:0 is on no node")
		if objs := c.ourObjects(t, ctx, ns); len(objs) != 0 {
			t.Errorf("a refused up created %v", objs)
		}
	})

	t.Run("an image of another flavour stops its pod before the server opens the volume", func(t *testing.T) {
		// --flavor mysql with the MariaDB image: init-config asks the image's
		// mysqld (MariaDB 10 images carry one) and stops the pod; up reports
		// the crashing container with that line.
		res := c.mysqlctl(t, 3*time.Minute, nil, "up", "-n", ns, "--name", "wrongimg", "--flavor", "mysql",
			"--image", c.mariadbImage, "--replicas", "1", "--timeout", "2m")
		if res.code == 0 || !strings.Contains(res.stderr, "the image runs mariadb") || !strings.Contains(res.stderr, "not mysql: pass an --image of mysql 8.4") {
			t.Errorf("up with an image of another flavour:\n%s", res)
		}
		c.mustSucceed(t, 2*time.Minute, "down", "--purge", "--yes", "-n", ns, "--name", "wrongimg")
	})

	t.Run("foreign StatefulSet with the same name", func(t *testing.T) {
		foreign := &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: "mysql"},
			Spec: appsv1.StatefulSetSpec{
				Replicas: ptr.To[int32](0), ServiceName: "mysql",
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "theirs"}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "theirs"}},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "x", Image: c.mariadbImage}}},
				},
			},
		}
		created, err := c.client.AppsV1().StatefulSets(ns).Create(ctx, foreign, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		res := c.mysqlctl(t, time.Minute, nil, append([]string{"up"}, flags...)...)
		assertOneLineError(t, res, 1, "not managed by mysqlctl")
		// Its status moves on (the controller writes it), so compare what a
		// write by mysqlctl would change: the generation and field managers.
		after, err := c.client.AppsV1().StatefulSets(ns).Get(ctx, "mysql", metav1.GetOptions{})
		if err != nil || after.Generation != created.Generation {
			t.Errorf("the foreign StatefulSet was changed (err %v)", err)
		}
		for _, f := range after.ManagedFields {
			if f.Manager == "mysqlctl" {
				t.Errorf("mysqlctl wrote to the foreign StatefulSet: %+v", f)
			}
		}
		if objs := c.ourObjects(t, ctx, ns); len(objs) != 0 {
			t.Errorf("up created objects beside a foreign StatefulSet: %v", objs)
		}
	})
}

// assertOneLineError checks the exit code and that stderr is a single
// "Error: ..." line containing want, and nothing on stdout.
func assertOneLineError(t *testing.T, res cliResult, code int, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != code {
		t.Errorf("exit code %d, want %d\n%s", res.code, code, res)
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "Error: ") || !strings.Contains(lines[0], want) {
		t.Errorf("want one line 'Error: ...%s...' on stderr:\n%s", want, res)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
