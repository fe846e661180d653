package e2e

import (
	"bytes"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestSemiSyncLosesNoAcknowledgedWrite: with semiSync on, a writer inserts
// numbered rows through mysql-primary, reconnecting on every error, and
// the primary is lost with its disk in the middle: its volume deleted, its
// server crashed (SIGABRT: nothing flushed, nothing sent on the way out)
// and its pod force-deleted. promote, naming no replica, takes the one
// that received the most; every insert the writer saw acknowledged is
// then on the new primary and, row by row, on every server, the old
// primary's new pod included once it cloned; check --checksum passes.
func TestSemiSyncLosesNoAcknowledgedWrite(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	ctx, ns := c.scenario(t, mariadbFlavour(c), "semisync", 3, 8*time.Minute, "--semi-sync", "on")
	c.waitSemiSync(t, ns, "mysql-0", 2)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.execAs(t, ctx, ns, "mysql-0", c.adminPassword(t, ctx, ns), "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)")

	w := c.startServiceWriter(ctx, ns, root)
	c.waitRows(t, ctx, ns, "mysql-1", root, 50)
	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.client.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data-mysql-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := kc.Exec(ctx, "mysql-0", manifest.ContainerServer, []string{"bash", "-c", "kill -ABRT 1"}, kube.ExecOptions{Stderr: &stderr}); err != nil {
		t.Logf("crash mysql-0's server: %v: %s", err, stderr.String()) // the exec may die with it
	}
	if err := c.client.CoreV1().Pods(ns).Delete(ctx, "mysql-0", metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))}); err != nil {
		t.Fatal(err)
	}
	lostAt := w.count()

	promoted := c.mustSucceed(t, 3*time.Minute, "promote", "-n", ns)
	t.Logf("promote:\n%s%s", promoted.stdout, promoted.stderr)
	w.waitAcked(t, ctx, lostAt+20, 2*time.Minute) // writes resumed on the new primary
	acked := w.finish()
	t.Logf("FIGURE %d inserts acknowledged with semi-sync on, %d of them before the primary was lost, %d failed while there was none", len(acked), lostAt, w.failures)
	if !strings.Contains(promoted.stdout, "primary: mysql-") || !strings.Contains(promoted.stdout, "acknowledged is lost, unless it had fallen back") {
		t.Fatalf("promote did not name the new primary, or what semi-sync kept:\n%s", promoted)
	}
	c.waitPodsReady(t, ctx, ns, manifest.PodSelector("mysql"), 3)
	c.assertAckedEverywhere(t, ctx, ns, root, acked, "mysql-0", "mysql-1", "mysql-2")
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
}
