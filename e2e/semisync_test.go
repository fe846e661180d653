package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestSemiSyncLosesNoAcknowledgedWrite: a writer inserts numbered rows
// through mysql-primary, reconnecting on every error, and the primary is
// lost with its disk in the middle: its server crashed (SIGABRT: nothing
// flushed, nothing sent on the way out), its volume and pod deleted.
// promote, naming no replica, takes the one that
// received the most. With semiSync on, every insert the writer saw
// acknowledged is then on every server, row by row, the old primary's new
// pod included once it cloned, and check --checksum passes. With it off,
// the same loss is reported (a figure, not asserted: what asynchronous
// replication loses depends on the moment). With it on, a switchover
// first moves the source side to mysql-1, every receiver is stopped and
// started again (the fall back and the return, fallBackAndReturn), the
// primary's server restarts in its pod and waits again, and then the
// primary is lost. With it on on MariaDB and MySQL, off on MariaDB; all
// side by side.
func TestSemiSyncLosesNoAcknowledgedWrite(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	runBesideOthers(t)
	for _, f := range c.flavours(t) {
		t.Run("semiSync on, "+f.name, func(t *testing.T) {
			t.Parallel()
			lostWithItsDisk(t, c.withFlavour(f), f, "on")
		})
	}
	t.Run("semiSync off, mariadb", func(t *testing.T) {
		t.Parallel()
		lostWithItsDisk(t, c, mariadbFlavour(c), "off")
	})
}

func lostWithItsDisk(t *testing.T, c *testCluster, f flavour, mode string) {
	ctx, ns := c.scenario(t, f, "semisync-"+mode, 3, 8*time.Minute, "--semi-sync", mode, "--semi-sync-timeout", "2s")
	primary, replica := "mysql-0", "mysql-1"
	if mode == "on" {
		// The source side moves with the role: the switchover's target
		// waits for acknowledgements, the old primary no longer does.
		c.waitSemiSync(t, ns, "mysql-0", 2)
		c.mustSucceed(t, 2*time.Minute, "switchover", "--to", "mysql-1", "-n", ns)
		primary, replica = "mysql-1", "mysql-2"
		c.waitSemiSync(t, ns, primary, 2)
		if s := c.statusOf(t, ns).Member("mysql-0").SemiSync; s == nil || s.SourceEnabled || !s.ReplicaActive {
			t.Errorf("the old primary after the switchover: semi-sync %+v, want its source side off, acknowledging", s)
		}
	}
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.execAs(t, ctx, ns, primary, c.adminPassword(t, ctx, ns), "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)")
	if mode == "on" {
		c.fallBackAndReturn(t, ctx, ns, primary, "mysql-0", "mysql-2")
		// The primary's server restarts in its pod (a crash, an OOM kill):
		// every start is read-only with the source side off, and the
		// sidecar turns it on before it makes the recorded primary
		// writable again.
		restarts := c.restartCount(t, ctx, ns, primary)
		c.shutdownServer(t, ctx, ns, primary, root)
		c.waitRestarted(t, ctx, ns, primary, restarts)
		c.waitSemiSync(t, ns, primary, 2)
	}

	w := c.startServiceWriter(ctx, ns, root)
	c.waitRows(t, ctx, ns, replica, root, 50)
	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := kc.Exec(ctx, primary, manifest.ContainerServer, []string{"bash", "-c", "kill -ABRT 1"}, kube.ExecOptions{Stderr: &stderr}); err != nil {
		t.Logf("crash %s's server: %v: %s", primary, err, stderr.String()) // the exec may die with it
	}
	// The volume and the pod go, and the pod is waited for until its
	// replacement refuses to start empty: a force-deleted pod's container
	// can live on for its grace period, writing for clients that still
	// reach it (promote refuses while a replica receives from it).
	t.Logf("%s's new pod refused to start: %s", primary, c.losePrimaryVolume(t, ctx, ns, primary))
	lostAt := w.count()

	promoted := c.mustSucceed(t, 3*time.Minute, "promote", "-n", ns)
	t.Logf("promote:\n%s%s", promoted.stdout, promoted.stderr)
	w.waitAcked(t, ctx, lostAt+20, 2*time.Minute) // writes resumed on the new primary
	acked := w.finish()
	c.waitPodsReady(t, ctx, ns, manifest.PodSelector("mysql"), 3)
	if mode == "off" {
		_, rest, _ := strings.Cut(promoted.stdout, "primary: ")
		newPrimary, _, _ := strings.Cut(rest, " ")
		missing := c.missingRows(t, ctx, ns, newPrimary, root, acked)
		t.Logf("FIGURE semi-sync off: %d of %d acknowledged inserts lost with the primary's disk (%d acknowledged before the loss)", len(missing), len(acked), lostAt)
		c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
		return
	}
	t.Logf("FIGURE semi-sync on, %s: %d inserts acknowledged, %d of them before the primary was lost, %d failed while there was none, none lost", f.name, len(acked), lostAt, w.failures)
	if !strings.Contains(promoted.stdout, "acknowledged is lost, unless it had fallen back") {
		t.Errorf("promote did not say what semi-sync kept:\n%s", promoted)
	}
	c.assertAckedEverywhere(t, ctx, ns, root, acked, "mysql-0", "mysql-1", "mysql-2")
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
}

// fallBackAndReturn: with every replica's receiver stopped (the replicas
// gone, as far as the primary can tell), a commit waits semiSyncTimeout
// and the primary falls back to asynchronous replication, which check
// fails on; with one receiver back it waits for that replica again, with
// both for both, and check passes. (Rows with negative ids: the writer's
// are positive.)
func (c *testCluster) fallBackAndReturn(t *testing.T, ctx context.Context, ns, primary string, replicas ...string) {
	t.Helper()
	admin := c.adminPassword(t, ctx, ns)
	for _, r := range replicas {
		c.execAs(t, ctx, ns, r, admin, "STOP REPLICA IO_THREAD") // both flavours' word
	}
	c.execAs(t, ctx, ns, primary, admin, "INSERT INTO app.t VALUES (-1)")
	check := c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
	if check.code != 3 || !strings.Contains(check.stdout, "fell back to asynchronous replication") {
		t.Errorf("check with every receiver stopped: want exit 3 saying the primary fell back:\n%s", check)
	}
	for _, line := range strings.Split(check.stdout, "\n") {
		if strings.HasPrefix(line, "semi-sync") {
			t.Logf("check with every receiver stopped: %s", line)
		}
	}
	for i, r := range replicas {
		c.execAs(t, ctx, ns, r, admin, "START REPLICA IO_THREAD")
		c.execAs(t, ctx, ns, primary, admin, fmt.Sprintf("INSERT INTO app.t VALUES (%d)", -2-i))
		c.waitSemiSync(t, ns, primary, i+1)
	}
	c.checkPassesWithin(t, ns, time.Minute)
}
