package e2e

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

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
// check --checksum passes.
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

	res := c.mustSucceed(t, 10*time.Minute, "up", "-n", ns, "--flavor", "mariadb", "--version", "11.8", "--image", image)
	t.Logf("up --version 11.8:\n%s", res.stdout)
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
