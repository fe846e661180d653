package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestDayTwoSafety: a running MariaDB cluster is never swapped, locked out
// or changed by a refused up, a broken rollout heals with the next up, and
// voluntary disruptions take one replica at a time and never the primary.
func TestDayTwoSafety(t *testing.T) {
	c, ctx, ns := mariadbScenario(t, "daytwo", 2, 15*time.Minute)

	t.Run("a plain up keeps what runs", func(t *testing.T) {
		res := c.mustSucceed(t, 3*time.Minute, "up", "-n", ns)
		if strings.Contains(res.stdout, "configured") || strings.Contains(res.stdout, "created") {
			t.Errorf("a plain up on the MariaDB cluster changed it:\n%s", res)
		}
		if img := c.serverImage(t, ctx, ns); img != c.mariadbImage {
			t.Errorf("server image %q after a plain up, want %q", img, c.mariadbImage)
		}
	})

	t.Run("durable settings, and no password in any binlog", func(t *testing.T) {
		root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
		for _, pod := range []string{"mysql-0", "mysql-1"} {
			for _, v := range []string{"@@sync_binlog", "@@innodb_flush_log_at_trx_commit"} {
				if got := c.queryThroughPortForward(t, ctx, ns, pod, root, "SELECT "+v); got != "1" {
					t.Errorf("%s on %s = %s, want 1", v, pod, got)
				}
			}
		}
		// What the replication account can read: every binlog of the primary.
		repl := c.secretValue(t, ctx, ns, "mysql-credentials", "replication-password")
		// (repl may not list the binlogs: it holds only REPLICATION SLAVE.)
		dump := c.runClientPod(t, ctx, ns, `set -e
mariadb-binlog --read-from-remote-server --host=mysql-0.mysql --user=repl --password="$PW" --to-last-log --verbose mysql-bin.000001
echo "END OF DUMP"`, repl)
		if !strings.Contains(dump, "END OF DUMP") || !strings.Contains(dump, "BINLOG") {
			t.Fatalf("the binlog dump did not run:\n%s", dump)
		}
		for _, key := range []string{"root-password", "admin-password", "replication-password"} {
			if pw := c.secretValue(t, ctx, ns, "mysql-credentials", key); strings.Contains(dump, pw) {
				t.Errorf("the binlog holds the %s", key)
			}
		}
	})

	t.Run("refused changes write nothing", func(t *testing.T) {
		for _, args := range [][]string{
			{"--flavor", "mysql"},
			{"--storage-class", "other"},
			{"--storage", "20Gi"},
			{"--replicas", "100000"},
			{"--replicas", "30", "--cpu", "1"},
		} {
			before := c.resourceVersions(t, ctx, ns)
			res := c.mysqlctl(t, time.Minute, nil, append([]string{"up", "-n", ns}, args...)...)
			assertOneLineError(t, res, 2, strings.TrimPrefix(args[0], "--"))
			if after := c.resourceVersions(t, ctx, ns); !equalMaps(before, after) {
				t.Errorf("up %v was refused but changed objects:\nbefore %v\nafter  %v", args, before, after)
			}
		}
	})

	t.Run("a drain takes replicas one at a time and waits on the primary until a switchover", func(t *testing.T) {
		// A drain cordons the node first: check warns about the primary
		// on it. (Uncordoned again at once: this cluster has one node,
		// where the evicted pods below must come back.)
		node := c.podNode(t, ctx, ns, "mysql-0")
		c.cordon(t, ctx, node, true)
		check := c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
		c.cordon(t, ctx, node, false)
		if check.code != 0 || !strings.Contains(check.stdout, "which is cordoned (a drain?): evictions of the primary wait on PodDisruptionBudget mysql-primary; run mysqlctl switchover") {
			t.Errorf("check with the primary's node cordoned: want exit 0 with a warning:\n%s", check)
		}
		c.waitDisruptionsAllowed(t, ctx, ns, "mysql", 1)
		if err := c.evict(ctx, ns, "mysql-0"); !apierrors.IsTooManyRequests(err) {
			t.Fatalf("eviction of the primary mysql-0: %v, want 429 Too Many Requests from its PodDisruptionBudget", err)
		}
		uid := c.podUID(t, ctx, ns, "mysql-1")
		if err := c.evict(ctx, ns, "mysql-1"); err != nil {
			t.Fatalf("eviction of the replica mysql-1: %v", err)
		}
		c.waitNewPodReady(t, ctx, ns, "mysql-1", uid)
		// What the README tells someone whose drain waits: switch over,
		// and the drain's next try takes the old primary, now a replica.
		c.mustSucceed(t, 2*time.Minute, "switchover", "-n", ns, "--to", "mysql-1")
		c.waitDisruptionsAllowed(t, ctx, ns, "mysql", 1)
		if err := c.evict(ctx, ns, "mysql-1"); !apierrors.IsTooManyRequests(err) {
			t.Errorf("eviction of the new primary mysql-1: %v, want 429 Too Many Requests", err)
		}
		uid = c.podUID(t, ctx, ns, "mysql-0")
		if err := c.evict(ctx, ns, "mysql-0"); err != nil {
			t.Fatalf("eviction of mysql-0 once a replica: %v", err)
		}
		c.waitNewPodReady(t, ctx, ns, "mysql-0", uid)
		c.waitSource(t, ns, "mysql-0", "mysql-1")
		c.mustSucceed(t, 2*time.Minute, "switchover", "-n", ns, "--to", "mysql-0")
		c.checkPassesWithin(t, ns, time.Minute)
	})

	t.Run("a broken image rolled out is healed by the next up", func(t *testing.T) {
		// An image the node holds but that cannot run our pods (the pause
		// image has no shell): the rolled-out pod crash-loops for good.
		broken := c.nodeImage(t, ctx, "pause")
		res := c.mysqlctl(t, 3*time.Minute, nil, "up", "-n", ns, "--image", broken)
		if res.code != 1 || !strings.Contains(res.stderr, "mysql-1") {
			t.Fatalf("up with an image that cannot run: want exit 1 naming the stuck pod:\n%s", res)
		}
		// With pods managed in parallel the StatefulSet controller itself
		// replaces a pod that is not ready when the template changes; up
		// replaces one the controller leaves stuck (unit
		// TestHealRolloutReplacesOnlyStuckOldPods). Either way it converges.
		res = c.mustSucceed(t, 5*time.Minute, "up", "-n", ns, "--image", c.mariadbImage)
		t.Logf("the fixing up:\n%s", res)
		if img := c.serverImage(t, ctx, ns); img != c.mariadbImage {
			t.Errorf("server image %q after the fix", img)
		}
		c.waitPodsReady(t, ctx, ns, "app.kubernetes.io/instance=mysql", 2)
	})

	t.Run("credentials -o env, sourced in a client pod, connects", func(t *testing.T) {
		plain := c.mustSucceed(t, time.Minute, "credentials", "-n", ns)
		for _, key := range []string{"root-password", "admin-password", "replication-password"} {
			if pw := c.secretValue(t, ctx, ns, "mysql-credentials", key); strings.Contains(plain.stdout+plain.stderr, pw) {
				t.Errorf("credentials without --show-passwords printed the %s", key)
			}
		}
		env := c.mustSucceed(t, time.Minute, "credentials", "-n", ns, "-o", "env", "--show-passwords")
		out := c.runClientPod(t, ctx, ns, `set -e; eval "$PW"
mariadb -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PASSWORD" -N -e 'SELECT @@server_id'
mariadb -h "$MYSQL_READ_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PASSWORD" -N -e 'SELECT 1'`, env.stdout)
		if !strings.HasPrefix(strings.TrimSpace(out), "100") {
			t.Errorf("the write host should be the primary (server id 100), got:\n%s", out)
		}
	})

	t.Run("sql: the client inside a server, credentials never typed", func(t *testing.T) {
		c.mustSucceed(t, time.Minute, "sql", "-n", ns, "-e", "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY); INSERT INTO app.t VALUES (1), (2)")
		var got string
		err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
			got = strings.TrimSpace(c.mustSucceed(t, time.Minute, "sql", "mysql-1", "-n", ns, "--", "-N", "-e", "SELECT COUNT(*) FROM app.t").stdout)
			return got == "2", nil
		})
		if err != nil {
			t.Errorf("the replica mysql-1 shows %q rows, want 2", got)
		}
		piped := c.mysqlctlWithInput(t, time.Minute, nil, "SELECT 41 + 1;\n", "sql", "-n", ns, "--", "-N")
		if piped.code != 0 || strings.TrimSpace(piped.stdout) != "42" {
			t.Errorf("statements piped in: want 42:\n%s", piped)
		}
		failed := c.mysqlctl(t, time.Minute, nil, "sql", "-n", ns, "-e", "SELECT * FROM app.nosuch")
		if failed.code != 1 || !strings.Contains(failed.stderr, "1146") || strings.Contains(failed.stderr, "Error: ") {
			t.Errorf("the client's error and exit code should pass through as they are:\n%s", failed)
		}
		assertOneLineError(t, c.mysqlctl(t, time.Minute, nil, "sql", "mysql-9", "-n", ns), 2, "not a server")
		c.sqlOnATerminal(t, ctx, ns)
	})

	t.Run("backup while rows are written; verify catches a changed byte", func(t *testing.T) {
		root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
		writer := c.startClientPod(t, ctx, ns, `for i in $(seq 1000 1400); do
  mariadb -h mysql-primary -uroot -p"$PW" -e "INSERT INTO app.t VALUES ($i)" || exit 1
done`, root)
		c.waitRowsIn(t, ctx, ns, "mysql-1", root, "app.t", 22) // the writer is under way
		file := filepath.Join(t.TempDir(), "app.backup")
		res := c.mustSucceed(t, 5*time.Minute, "backup", "-o", file, "-n", ns)
		if !strings.Contains(res.stdout, "backup of mysql-1 written to "+file+": mariadb") || !strings.Contains(res.stdout, "GTID 0-100-") {
			t.Errorf("backup output:\n%s", res)
		}
		if out, ok := c.waitClientPod(t, ctx, ns, writer); !ok {
			t.Fatalf("the writer failed:\n%s", out)
		}
		if _, err := os.Stat(file + ".partial"); !os.IsNotExist(err) {
			t.Errorf("the partial file was left: %v", err)
		}
		verified := c.mustSucceed(t, time.Minute, "backup", "--verify", file)
		t.Logf("%s", verified.stdout)
		again := c.mysqlctl(t, time.Minute, nil, "backup", "-o", file, "-n", ns)
		assertOneLineError(t, again, 2, "exists")

		// A new cluster from the backup: its primary holds exactly the
		// rows up to the backup's GTID, its replica clones it, check passes.
		restored := c.namespace(t, "restored")
		empty := c.resourceVersions(t, ctx, restored)
		other := c.mysqlctl(t, time.Minute, nil, "up", "--from-backup", file, "-n", restored, "--flavor", "mysql57")
		assertOneLineError(t, other, 2, "flavor")
		if after := c.resourceVersions(t, ctx, restored); !equalMaps(empty, after) {
			t.Errorf("a refused restore created objects: %v", after)
		}
		up := c.mustSucceed(t, 8*time.Minute, "up", "--from-backup", file, "-n", restored, "--replicas", "2", "--image", c.mariadbImage)
		if !strings.Contains(up.stdout, "restored "+file) || !strings.Contains(up.stdout, "credentials: new passwords") {
			t.Errorf("up --from-backup output:\n%s", up)
		}
		c.mustSucceed(t, 2*time.Minute, "check", "-n", restored, "--checksum")
		newRoot := c.secretValue(t, ctx, restored, "mysql-credentials", "root-password")
		// Its binary log goes on from the backup's GTID (0-100-N): the
		// next transactions are N+1, N+2, ...
		gtid := c.queryThroughPortForward(t, ctx, restored, "mysql-0", newRoot, "SELECT @@gtid_binlog_pos")
		var backupSeq, restoredSeq int
		_, err1 := fmt.Sscanf(verified.stdout[strings.Index(verified.stdout, "GTID 0-100-"):], "GTID 0-100-%d", &backupSeq)
		_, err2 := fmt.Sscanf(gtid, "0-100-%d", &restoredSeq)
		if err1 != nil || err2 != nil || restoredSeq < backupSeq {
			t.Errorf("the restored primary's binary log is at %s, not after the backup's GTID:\n%s", gtid, verified.stdout)
		}
		n, top := c.assertRestoredPrefix(t, ctx, ns, root, restored, newRoot)
		t.Logf("restored %d of the writer's rows (up to id %d) at GTID %s", n, top, gtid)

		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 0x01
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		broken := c.mysqlctl(t, time.Minute, nil, "backup", "--verify", file)
		if broken.code != 1 || !strings.Contains(broken.stderr, "damaged") {
			t.Errorf("a changed byte was not caught:\n%s", broken)
		}
	})

	t.Run("a deleted Secret makes up refuse", func(t *testing.T) {
		if err := c.client.CoreV1().Secrets(ns).Delete(ctx, "mysql-credentials", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		res := c.mysqlctl(t, time.Minute, nil, "up", "-n", ns)
		assertOneLineError(t, res, 2, "restore the Secret")
		if _, err := c.client.CoreV1().Secrets(ns).Get(ctx, "mysql-credentials", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("up made new credentials for old volumes (err %v)", err)
		}
	})

	t.Run("purge leaves nothing", func(t *testing.T) {
		c.mustSucceed(t, 3*time.Minute, "down", "-n", ns, "--purge", "--yes")
		if objs := c.ourObjects(t, ctx, ns); len(objs) != 0 {
			t.Errorf("left after purge: %v", objs)
		}
		if pvcs := c.pvcNames(t, ctx, ns); len(pvcs) != 0 {
			t.Errorf("volumes left after purge: %v", pvcs)
		}
	})
}

// serverImage is the image of the StatefulSet's database container.
func (c *testCluster) serverImage(t *testing.T, ctx context.Context, ns string) string {
	t.Helper()
	sts, err := c.client.AppsV1().StatefulSets(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sts.Spec.Template.Spec.Containers[0].Image
}

// resourceVersions of every object of the namespace mysqlctl writes.
func (c *testCluster) resourceVersions(t *testing.T, ctx context.Context, ns string) map[string]string {
	t.Helper()
	all := metav1.ListOptions{}
	lists := map[string]func() (runtime.Object, error){
		"statefulset": func() (runtime.Object, error) { return c.client.AppsV1().StatefulSets(ns).List(ctx, all) },
		"configmap":   func() (runtime.Object, error) { return c.client.CoreV1().ConfigMaps(ns).List(ctx, all) },
		"service":     func() (runtime.Object, error) { return c.client.CoreV1().Services(ns).List(ctx, all) },
		"secret":      func() (runtime.Object, error) { return c.client.CoreV1().Secrets(ns).List(ctx, all) },
		"pdb":         func() (runtime.Object, error) { return c.client.PolicyV1().PodDisruptionBudgets(ns).List(ctx, all) },
	}
	out := map[string]string{}
	for kind, list := range lists {
		obj, err := list()
		if err != nil {
			t.Fatalf("list %ss in %s: %v", kind, ns, err)
		}
		items, err := meta.ExtractList(obj)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range items {
			o := item.(metav1.Object)
			out[kind+"/"+o.GetName()] = o.GetResourceVersion()
		}
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// evict asks the Eviction API, as kubectl drain does, to evict pod.
func (c *testCluster) evict(ctx context.Context, ns, pod string) error {
	return c.client.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pod, Namespace: ns}})
}

// waitDisruptionsAllowed waits until the disruption controller has counted
// the healthy pods of PodDisruptionBudget name.
func (c *testCluster) waitDisruptionsAllowed(t *testing.T, ctx context.Context, ns, name string, want int32) {
	t.Helper()
	var seen string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pdb, err := c.client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			seen = err.Error()
			return false, nil
		}
		seen = pdb.Status.String()
		return pdb.Status.DisruptionsAllowed == want, nil
	})
	if err != nil {
		t.Fatalf("poddisruptionbudget %s/%s never allowed %d disruption(s): %s", ns, name, want, seen)
	}
}

// nodeImage is the name of an image the node holds whose name contains part.
func (c *testCluster) nodeImage(t *testing.T, ctx context.Context, part string) string {
	t.Helper()
	nodes, err := c.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				if strings.Contains(name, part) && !strings.Contains(name, "@") {
					return name
				}
			}
		}
	}
	t.Fatalf("no node holds an image named like %q", part)
	return ""
}

// assertRestoredPrefix checks that a cluster restored from a backup taken
// while a writer inserted app.t's rows 1000, 1001, ... holds an unbroken
// prefix of them (read on its replica, so the clone of the restored
// primary is checked too), and every row of the source up to its last one;
// it returns how many rows from 1000 and the last.
func (c *testCluster) assertRestoredPrefix(t *testing.T, ctx context.Context, source, root, restored, newRoot string) (n, top int) {
	t.Helper()
	shape := "SELECT CONCAT(COUNT(*), ' ', MAX(id)) FROM app.t WHERE id >= 1000"
	fmt.Sscan(c.queryThroughPortForward(t, ctx, restored, "mysql-1", newRoot, shape), &n, &top)
	if n == 0 || top != 999+n {
		t.Errorf("the restored rows from 1000 are %d up to %d: not the unbroken prefix the writer inserted", n, top)
	}
	upTo := fmt.Sprintf("SELECT COUNT(*) FROM app.t WHERE id <= %d", top)
	if src, dst := c.queryThroughPortForward(t, ctx, source, "mysql-0", root, upTo), c.queryThroughPortForward(t, ctx, restored, "mysql-0", newRoot, upTo); src != dst {
		t.Errorf("rows up to %d: %s in the source, %s restored", top, src, dst)
	}
	return n, top
}

// podNode is the node pod runs on.
func (c *testCluster) podNode(t *testing.T, ctx context.Context, ns, pod string) string {
	t.Helper()
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Spec.NodeName
}

// cordon sets node's spec.unschedulable, as kubectl cordon and uncordon
// do; a test that cordons leaves the node uncordoned however it ends.
func (c *testCluster) cordon(t *testing.T, ctx context.Context, node string, on bool) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"unschedulable":%t}}`, on)
	if _, err := c.client.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatalf("cordon %s (%t): %v", node, on, err)
	}
	if on {
		t.Cleanup(func() {
			_, _ = c.client.CoreV1().Nodes().Patch(context.Background(), node, types.MergePatchType, []byte(`{"spec":{"unschedulable":false}}`), metav1.PatchOptions{})
		})
	}
}
