package cluster

import (
	"context"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRecloneReplacesTheReplicasVolumeAndPod(t *testing.T) {
	l := newLifecycle(t)
	ctx := context.Background()
	if err := l.c.Up(ctx, manifest.DefaultSpec(), UpOptions{}); err != nil {
		t.Fatal(err)
	}
	l.addServers(3)
	l.changed, l.waits = nil, nil
	if err := l.c.Reclone(ctx, "mysql-2"); err != nil {
		t.Fatal(err)
	}
	want := []string{"persistentvolumeclaim/data-mysql-2 deleted", "pod/mysql-2 deleted"}
	if strings.Join(l.changed, "|") != strings.Join(want, "|") {
		t.Errorf("changes %q, want %q", l.changed, want)
	}
	for _, name := range []string{"data-mysql-0", "data-mysql-1"} {
		if _, err := l.cs.CoreV1().PersistentVolumeClaims(testNS).Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("reclone of mysql-2 touched %s: %v", name, err)
		}
	}
	if len(l.waits) != 1 || l.waits[0] != 3 {
		t.Errorf("waited for %v, want the 3 servers ready again", l.waits)
	}
}

func TestRecloneRefuses(t *testing.T) {
	l := newLifecycle(t)
	ctx := context.Background()
	if err := l.c.Up(ctx, manifest.DefaultSpec(), UpOptions{}); err != nil {
		t.Fatal(err)
	}
	for pod, want := range map[string]string{
		"mysql-0": "is the primary",
		"mysql-3": "not a server of cluster mysql",
		"other-1": "not a server of cluster mysql",
		"mysql-1": "no other server of cluster mysql is ready", // no pods at all yet
	} {
		err := l.c.Reclone(ctx, pod)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("reclone %s: %v, want %q", pod, err, want)
		}
	}
	if len(l.changed) != 12 { // only what the first up created
		t.Errorf("a refused reclone changed something: %q", l.changed)
	}
}
