package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// rolloutUnderAWriter: on 4 servers whose primary is mysql-2 (a middle
// ordinal), up with a changed memory request rolls every pod while a
// writer inserts through mysql-primary: mysql-3 first, then a switchover
// to it, then mysql-2, mysql-1 and mysql-0 as replicas. Never two writable
// servers (a watcher looks at every server's read_only all along), every
// acknowledged row on every server afterwards, every pod on the new
// template, check passes.
func (c *testCluster) rolloutUnderAWriter(t *testing.T, ctx context.Context, ns, root, admin string) {
	t.Helper()
	pods := []string{"mysql-0", "mysql-1", "mysql-2", "mysql-3"}
	if p := c.recordedPrimary(t, ns); p != "mysql-2" {
		t.Fatalf("the rollout scenario starts with mysql-2 the primary, not %s", p)
	}
	watch := c.watchWritable(ctx, ns, admin, pods...)
	w := c.startServiceWriterFrom(ctx, ns, root, 100000)
	w.waitAcked(t, ctx, 20, time.Minute)
	res := c.mustSucceed(t, 8*time.Minute, "up", "-n", ns, "--memory", "300Mi")
	t.Logf("up --memory 300Mi:\n%s", res.stdout)
	for _, want := range []string{"updating mysql-3 first, one at a time; the primary waits", "switchover: primary mysql-3 (was mysql-2; it is updated), write downtime "} {
		if !strings.Contains(res.stdout+res.stderr, want) {
			t.Errorf("the rollout did not say %q", want)
		}
	}
	w.waitAcked(t, ctx, w.count()+20, time.Minute) // writes go on, on mysql-3
	acked := w.finish()
	looks, overlaps := watch.finish()
	for _, o := range overlaps {
		t.Errorf("two writable servers during the rollout: %s", o)
	}
	c.assertAckedEverywhere(t, ctx, ns, root, acked, pods...)
	want := resource.MustParse("300Mi")
	for _, pod := range pods {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ctr := range p.Spec.Containers {
			if got := ctr.Resources.Requests.Memory(); ctr.Name == manifest.ContainerServer && got.Cmp(want) != 0 {
				t.Errorf("%s's server requests %s after the rollout, want %s", pod, got, &want)
			}
		}
	}
	t.Logf("FIGURE rollout of 4 servers under a writer: %d inserts acknowledged, %d failed tries, longest gap between two acknowledged inserts %s, %d looks at read_only, never two writable",
		len(acked), w.failures, w.longestGap.Round(time.Millisecond), looks)
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
}
