package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestFormerPrimaryWithUnsentTransactionsStaysOut: the replicas stop
// receiving, the primary commits a row nobody else has, and promote
// --force moves the role while the old primary is alive but not ready.
// Its pod is then re-created on its volume, as after a node's restart:
// the server holding the unsent row never follows the new primary (MySQL's
// auto-position would replicate on top of it; the sidecar asks
// GTID_SUBTRACT first. MariaDB's gtid_strict_mode stops the replica), it
// stays out of the Services, check names it, and reclone brings it back
// with the new primary's data, the unsent row gone. On MySQL: MariaDB's
// side of it is its server's own (TestMariaDBBuriedWriteStopsReplication
// in sql/, TestOneWritableServer).
func TestFormerPrimaryWithUnsentTransactionsStaysOut(t *testing.T) {
	runBesideOthers(t)
	c := requireCluster(t)
	binary(t)
	c.onMySQL(t, formerPrimaryWithUnsentTransactions)
}

func formerPrimaryWithUnsentTransactions(t *testing.T, c *testCluster, f flavour) {
	ctx, ns := c.scenario(t, f, "rejoin", 3, 10*time.Minute)
	admin := c.adminPassword(t, ctx, ns)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.execAs(t, ctx, ns, "mysql-0", admin, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)", "INSERT INTO app.t VALUES (1), (2)")
	c.waitRowsIn(t, ctx, ns, "mysql-1", root, "app.t", 2)
	c.waitRowsIn(t, ctx, ns, "mysql-2", root, "app.t", 2)
	for _, pod := range []string{"mysql-1", "mysql-2"} {
		c.execAs(t, ctx, ns, pod, admin, "STOP REPLICA IO_THREAD")
	}
	c.execAs(t, ctx, ns, "mysql-0", admin, "INSERT INTO app.t VALUES (99)") // sent to nobody

	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := kc.Exec(ctx, "mysql-0", manifest.ContainerServer, []string{"rm", "-f", "/run/mysqlctl/sidecar-ready"}, kube.ExecOptions{Stderr: &stderr}); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	c.waitPodReady(t, ctx, ns, "mysql-0", false)
	promoted := c.mustSucceed(t, 2*time.Minute, "promote", "mysql-1", "--force", "-n", ns)
	t.Logf("promote --force:\n%s", promoted.stdout)

	uid := c.podUID(t, ctx, ns, "mysql-0")
	if err := c.client.CoreV1().Pods(ns).Delete(ctx, "mysql-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// The new pod's server runs on the old volume and never becomes ready:
	// check fails and names it. Polled, as check sees the new pod only once
	// its server answers.
	var check cliResult
	err = wait.PollUntilContextTimeout(ctx, 2*time.Second, 3*time.Minute, true, func(context.Context) (bool, error) {
		if c.podUID(t, ctx, ns, "mysql-0") == uid {
			return false, nil
		}
		check = c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
		return check.code == 3 && strings.Contains(check.stdout, "mysql-0 has errant transactions the primary mysql-1 lacks"), nil
	})
	if err != nil {
		t.Fatalf("check never named mysql-0's errant transactions; last:\n%s", check)
	}
	t.Logf("check with the former primary back:\n%s", check.stdout)
	for i := 0; i < 10; i++ { // and it stays out of the Services
		if ready := c.podReady(t, ctx, ns, "mysql-0"); ready {
			t.Fatalf("mysql-0 became ready holding a transaction the primary lacks")
		}
		time.Sleep(time.Second)
	}
	if got := c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, "SELECT COUNT(*) FROM app.t WHERE id = 99"); got != "1" {
		t.Errorf("mysql-0 lost its own row before the reclone: %s", got)
	}

	c.mustSucceed(t, 5*time.Minute, "reclone", "mysql-0", "-n", ns)
	c.waitPodsReady(t, ctx, ns, manifest.PodSelector("mysql"), 3)
	c.mustSucceed(t, 2*time.Minute, "check", "-n", ns, "--checksum")
	for _, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		if got := c.queryThroughPortForward(t, ctx, ns, pod, root, "SELECT GROUP_CONCAT(id ORDER BY id) FROM app.t"); got != "1,2" {
			t.Errorf("%s holds rows %s, want 1,2 (99 was never sent before the forced promote)", pod, got)
		}
	}
}

// podReady says whether pod's Ready condition is true now.
func (c *testCluster) podReady(t *testing.T, ctx context.Context, ns, pod string) bool {
	t.Helper()
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return false
	}
	for _, cond := range p.Status.Conditions {
		if cond.Type == "Ready" {
			return cond.Status == "True"
		}
	}
	return false
}
