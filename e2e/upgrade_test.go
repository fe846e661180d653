package e2e

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestMariaDBMajorUpgrade: a MariaDB 10.11 cluster of 3 servers, a writer
// inserting through mysql-primary, up --version 11.8: the replicas roll
// first, a switchover hands the writes to an upgraded replica (11.8
// replicating from 10.11, the supported direction), the old primary goes
// last. Afterwards every server runs 11.8 and its data directory records
// 11.8 (mariadb-upgrade ran on each, before its pod was ready), never two
// servers were writable, every acknowledged row is on every server, and
// check --checksum passes. Before that, the upgrade is refused while a
// replica's applier is stopped, and the first up that goes through is
// killed mid-rollout: a second up finishes the upgrade.
func TestMariaDBMajorUpgrade(t *testing.T) {
	image := os.Getenv("MYSQLCTL_E2E_MARIADB11_IMAGE")
	if image == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MYSQLCTL_E2E_MARIADB11_IMAGE is not set: CI proves the upgrade (eval \"$(make -s cluster-env)\")")
		}
		t.Skip("MYSQLCTL_E2E_MARIADB11_IMAGE is not set (eval \"$(make -s cluster-env)\")")
	}
	c := requireCluster(t)
	binary(t)
	runBesideOthers(t)
	ctx, ns := c.scenario(t, mariadbFlavour(c), "upgrade", 3, 12*time.Minute)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	admin := c.adminPassword(t, ctx, ns)
	pods := []string{"mysql-0", "mysql-1", "mysql-2"}
	c.execAs(t, ctx, ns, "mysql-0", admin, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)")
	watch := c.watchWritable(ctx, ns, admin, pods...)
	w := c.startServiceWriter(ctx, ns, root)
	w.waitAcked(t, ctx, 20, time.Minute)

	// No --flavor: the version is checked against the flavour that runs.
	upgrade := []string{"up", "-n", ns, "--version", "11.8", "--image", image}

	// Refused while check fails, changing nothing.
	c.execAs(t, ctx, ns, "mysql-2", admin, "STOP SLAVE SQL_THREAD")
	refused := c.mysqlctl(t, 2*time.Minute, nil, upgrade...)
	if refused.code == 0 || !strings.Contains(refused.stderr, "not healthy enough to upgrade from 10.11") || !strings.Contains(refused.stderr, "mysql-2") {
		t.Fatalf("up --version 11.8 with mysql-2's applier stopped: want a refusal naming mysql-2, got:\n%s", refused)
	}
	if v := c.statefulSetVersion(t, ctx, ns); v != "10.11" {
		t.Fatalf("the refused upgrade changed the StatefulSet's version to %q", v)
	}
	c.execAs(t, ctx, ns, "mysql-2", admin, "START SLAVE SQL_THREAD")

	// Killed once mysql-2 runs 11.8 and is ready, the rest not: a second up
	// carries on from where the rollout stands.
	updating, killedMidway := false, false
	cmd, lines, seen := startUntil(t, c, binary(t), nil, upgrade, func(line string) bool {
		updating = updating || strings.Contains(line, "first, one at a time; the primary waits")
		killedMidway = updating && strings.Contains(line, "mysql-2: ready") && c.podOnNewRevision(t, ctx, ns, "mysql-2")
		return killedMidway
	})
	if !killedMidway {
		t.Fatalf("the first up --version 11.8 ended before mysql-2 was updated and ready:\n%s", strings.Join(seen, "\n"))
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
	}
	_ = cmd.Wait()
	t.Logf("up --version 11.8, killed at:\n%s", strings.Join(seen, "\n"))
	if st := c.mustSucceed(t, time.Minute, "status", "-n", ns); !strings.Contains(st.stdout, "(mysql-2 11.8.") {
		t.Errorf("status mid-upgrade does not name mysql-2's new version:\n%s", st.stdout)
	}
	res := c.mustSucceed(t, 10*time.Minute, upgrade...)
	t.Logf("up --version 11.8, run again:\n%s", res.stdout)
	if !strings.Contains(res.stdout, "switchover: primary ") {
		t.Errorf("the upgrade did not switch over before updating the primary")
	}
	w.waitAcked(t, ctx, w.count()+20, time.Minute)
	acked := w.finish()
	_, overlaps := watch.finish()
	for _, o := range overlaps {
		t.Errorf("two writable servers during the upgrade: %s", o)
	}
	c.assertAckedEverywhere(t, ctx, ns, root, acked, pods...)

	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	for _, pod := range pods {
		version := strings.TrimSpace(c.mustSucceed(t, time.Minute, "sql", pod, "-n", ns, "--", "-N", "-e", "SELECT VERSION()").stdout)
		var out, stderr bytes.Buffer
		// MariaDB 11 names the file mariadb_upgrade_info; 10.x mysql_upgrade_info.
		script := "cat " + manifest.MountDatadir + "/mariadb_upgrade_info 2>/dev/null || cat " + manifest.MountDatadir + "/mysql_upgrade_info"
		if err := kc.Exec(ctx, pod, manifest.ContainerSidecar, []string{"bash", "-c", script}, kube.ExecOptions{Stdout: &out, Stderr: &stderr}); err != nil {
			t.Fatalf("read %s's upgrade record: %v: %s", pod, err, stderr.String())
		}
		if !strings.HasPrefix(version, "11.8.") || !strings.HasPrefix(strings.TrimSpace(out.String()), "11.8.") {
			t.Errorf("%s runs %q on a data directory that records %q, want 11.8 both", pod, version, out.String())
		}
		if logs := c.containerLogs(t, ctx, ns, pod, manifest.ContainerSidecar); !strings.Contains(logs, "the data directory is upgraded") {
			t.Errorf("%s's sidecar did not say it upgraded the data directory:\n%s", pod, tail(logs, 15))
		}
	}
	t.Logf("FIGURE major upgrade of 3 servers under a writer: %d inserts acknowledged, %d failed tries, longest gap between two acknowledged inserts %s",
		len(acked), w.failures, w.longestGap.Round(time.Millisecond))
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
}

// statefulSetVersion is the version the StatefulSet was applied with.
func (c *testCluster) statefulSetVersion(t *testing.T, ctx context.Context, ns string) string {
	t.Helper()
	sts, err := c.client.AppsV1().StatefulSets(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sts.Annotations[manifest.AnnotationVersion]
}

// podOnNewRevision says whether pod runs the StatefulSet's update revision
// and is ready.
func (c *testCluster) podOnNewRevision(t *testing.T, ctx context.Context, ns, pod string) bool {
	t.Helper()
	sts, err := c.client.AppsV1().StatefulSets(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return false
	}
	ready := false
	for _, cond := range p.Status.Conditions {
		ready = ready || (cond.Type == "Ready" && cond.Status == "True")
	}
	return ready && p.Labels["controller-revision-hash"] == sts.Status.UpdateRevision
}
