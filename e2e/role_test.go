package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestOneWritableServer does, on one cluster and under one writer that
// inserts numbered rows through the write Service, the faults that made
// two servers writable or left a wrong one recorded: the former primary's
// server killed right after a switchover (its pod stays, the mounted record
// still names it), promote while the old primary is alive but not Ready,
// the record deleted, two switchovers at once, and a replica away during a
// switchover. A watcher samples every server's read_only several times a
// second: never are two writable at once. Afterwards every acknowledged row
// is on every server and check --checksum passes.
//
// It runs alone, like TestChaos: its faults land at chosen moments, and with
// a second scenario beside it on two cores the port-forwards its writer,
// watcher and fault injectors hold broke off and a replica missed the
// switchover's 30 s catch-up (CI at 33cd6e0).
func TestOneWritableServer(t *testing.T) {
	c, ctx, ns := mariadbScenario(t, "onewriter", 3, 15*time.Minute)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.execAs(t, ctx, ns, "mysql-0", c.adminPassword(t, ctx, ns), "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)")
	pods := []string{"mysql-0", "mysql-1", "mysql-2"}
	watch := c.watchWritable(ctx, ns, c.adminPassword(t, ctx, ns), pods...)
	writer := c.startServiceWriter(ctx, ns, root)
	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the former primary's server killed right after a switchover stays read-only", func(t *testing.T) {
		c.mustSucceed(t, 2*time.Minute, "switchover", "-n", ns, "--to", "mysql-1")
		restarts := c.restartCount(t, ctx, ns, "mysql-0")
		c.shutdownServer(t, ctx, ns, "mysql-0", root)
		c.waitRestarted(t, ctx, ns, "mysql-0", restarts)
		// The sidecar notices a restart within seconds; give it time to
		// do the wrong thing, then look.
		for i := 0; i < 10; i++ {
			if ro := c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, "SELECT @@global.read_only"); ro != "1" {
				t.Fatalf("mysql-0 came back with read_only %s after a switchover away from it", ro)
			}
			time.Sleep(time.Second)
		}
		c.waitSource(t, ns, "mysql-0", "mysql-1")
	})

	t.Run("promote refuses an old primary that is alive but not ready, and with --force fences it", func(t *testing.T) {
		// A restarted sidecar or a slow probe: the pod leaves the Services,
		// the server goes on taking writes from pooled connections.
		var stderr bytes.Buffer
		if err := kc.Exec(ctx, "mysql-1", manifest.ContainerServer, []string{"rm", "-f", "/run/mysqlctl/sidecar-ready"}, kube.ExecOptions{Stderr: &stderr}); err != nil {
			t.Fatalf("%v: %s", err, stderr.String())
		}
		c.waitPodReady(t, ctx, ns, "mysql-1", false)
		refused := c.mysqlctl(t, 2*time.Minute, nil, "promote", "mysql-2", "-n", ns)
		if refused.code == 0 || !strings.Contains(refused.stderr, "mysql-1 is not gone: its server answers as writable") {
			t.Fatalf("promote beside a writable old primary:\n%s", refused)
		}
		c.mustSucceed(t, 2*time.Minute, "promote", "mysql-2", "--force", "-n", ns)
		if ro := c.queryThroughPortForward(t, ctx, ns, "mysql-1", root, "SELECT @@global.read_only"); ro != "1" {
			t.Errorf("the old primary mysql-1 has read_only %s after promote --force, want 1", ro)
		}
		// Its readiness marker is gone for good: a new pod.
		uid := c.podUID(t, ctx, ns, "mysql-1")
		if err := c.client.CoreV1().Pods(ns).Delete(ctx, "mysql-1", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.waitNewPodReady(t, ctx, ns, "mysql-1", uid)
		c.waitSource(t, ns, "mysql-1", "mysql-2")
	})

	t.Run("a deleted record is refused by up, and promote --adopt brings it back", func(t *testing.T) {
		primary := c.recordedPrimary(t, ns)
		if err := c.client.CoreV1().ConfigMaps(ns).Delete(ctx, "mysql-state", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		before := c.resourceVersions(t, ctx, ns)
		up := c.mysqlctl(t, 2*time.Minute, nil, "up", "-n", ns)
		if up.code != 2 || !strings.Contains(up.stderr, "promote POD --adopt") {
			t.Errorf("up without the record:\n%s", up)
		}
		if after := c.resourceVersions(t, ctx, ns); !equalMaps(before, after) {
			t.Errorf("a refused up changed objects:\nbefore %v\nafter  %v", before, after)
		}
		check := c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
		if check.code != 3 || !strings.Contains(check.stdout, "promote "+primary+" --adopt") {
			t.Errorf("check without the record:\n%s", check)
		}
		c.mustSucceed(t, 2*time.Minute, "promote", primary, "--adopt", "-n", ns)
		c.checkPassesWithin(t, ns, time.Minute)
	})

	t.Run("two switchovers at once leave one writable server", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]cliResult, 2)
		for i, to := range []string{"mysql-0", "mysql-1"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = c.mysqlctl(t, 2*time.Minute, nil, "switchover", "-n", ns, "--to", to)
			}()
		}
		wg.Wait()
		if results[0].code != 0 && results[1].code != 0 {
			t.Errorf("neither switchover went through:\n%s\n%s", results[0], results[1])
		}
		for _, r := range results {
			t.Logf("switchover: exit %d\n%s", r.code, r)
		}
		c.checkPassesWithin(t, ns, time.Minute)
	})

	t.Run("a replica away during a switchover follows the new primary when back", func(t *testing.T) {
		primary := c.recordedPrimary(t, ns)
		var away, target string
		for _, p := range pods {
			switch {
			case p == primary:
			case away == "":
				away = p
			default:
				target = p
			}
		}
		uid := c.podUID(t, ctx, ns, away)
		if err := c.client.CoreV1().Pods(ns).Delete(ctx, away, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.mustSucceed(t, 2*time.Minute, "switchover", "-n", ns, "--to", target)
		c.waitNewPodReady(t, ctx, ns, away, uid)
		c.waitSource(t, ns, away, target)
		c.waitSource(t, ns, primary, target)
	})

	t.Run("the record touched inside a switchover: it finishes over it", func(t *testing.T) {
		c.switchoverWithRecordTouched(t, ctx, ns, pods)
	})

	t.Run("the old primary's server restarting inside a switchover: one command converges", func(t *testing.T) {
		c.switchoverWithPrimaryRestart(t, ctx, ns, root, pods)
	})

	t.Run("root cannot read the cluster's secrets through the server", func(t *testing.T) {
		for _, file := range []string{"/etc/mysqlctl/secrets/root-password", "/etc/mysqlctl/secrets/probe-password", "/etc/mysqlctl/tls/tls.key"} {
			if got := c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, "SELECT LOAD_FILE('"+file+"') IS NULL"); got != "1" {
				t.Errorf("LOAD_FILE(%s) as root returned the file", file)
			}
		}
	})

	acked := writer.finish()
	looks, overlaps := watch.finish()
	t.Logf("FIGURE %d rows acknowledged (%d failed tries), %d looks at read_only", len(acked), writer.failures, looks)
	for _, o := range overlaps {
		t.Errorf("two writable servers: %s", o)
	}
	if len(acked) < 50 {
		t.Fatalf("only %d rows acknowledged: the writer hardly ever reached a primary", len(acked))
	}
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
	c.assertAckedEverywhere(t, ctx, ns, root, acked, pods...)
}

// statusOf is mysqlctl status -o json, parsed.
func (c *testCluster) statusOf(t *testing.T, ns string) *cluster.StatusReport {
	t.Helper()
	res := c.mysqlctl(t, time.Minute, nil, "status", "-n", ns, "-o", "json")
	r := &cluster.StatusReport{}
	if err := json.NewDecoder(bytes.NewReader([]byte(res.stdout))).Decode(r); err != nil {
		t.Fatalf("status -o json: %v\n%s", err, res)
	}
	return r
}

func (c *testCluster) recordedPrimary(t *testing.T, ns string) string {
	t.Helper()
	return c.statusOf(t, ns).Cluster.RecordedPrimary
}

// waitSource waits until pod replicates from source, by status.
func (c *testCluster) waitSource(t *testing.T, ns, pod, source string) {
	t.Helper()
	seen := ""
	err := wait.PollUntilContextTimeout(context.Background(), time.Second, 90*time.Second, true, func(context.Context) (bool, error) {
		for _, m := range c.statusOf(t, ns).Members {
			if m.Pod == pod {
				seen = "no source"
				if m.Replication != nil {
					seen = m.Replication.Source + " IO " + m.Replication.IOThread + " SQL " + m.Replication.SQLThread
					return strings.HasPrefix(m.Replication.Source, source+".") && m.Replication.IOThread == "Yes", nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s does not replicate from %s: %s", pod, source, seen)
	}
}

// checkPassesWithin waits until mysqlctl check exits 0.
func (c *testCluster) checkPassesWithin(t *testing.T, ns string, within time.Duration, args ...string) {
	t.Helper()
	var last cliResult
	err := wait.PollUntilContextTimeout(context.Background(), 2*time.Second, within, true, func(context.Context) (bool, error) {
		last = c.mysqlctl(t, time.Minute, nil, append([]string{"check", "-n", ns}, args...)...)
		return last.code == 0, nil
	})
	if err != nil {
		t.Fatalf("check did not pass within %s:\n%s", within, last)
	}
}

// shutdownServer stops pod's server the way a crash would leave the pod:
// the container ends and the kubelet restarts it in the same pod.
func (c *testCluster) shutdownServer(t *testing.T, ctx context.Context, ns, pod, root string) {
	t.Helper()
	db, closeDB, err := c.rootDB(ctx, ns, pod, root)
	if err != nil {
		t.Fatalf("connect to %s: %v", pod, err)
	}
	defer closeDB()
	_, err = db.ExecContext(ctx, "SHUTDOWN")
	t.Logf("SHUTDOWN on %s: %v", pod, err) // the connection may go with the server
}

// restartCount is how often pod's server container restarted.
func (c *testCluster) restartCount(t *testing.T, ctx context.Context, ns, pod string) int32 {
	t.Helper()
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == manifest.ContainerServer {
			return s.RestartCount
		}
	}
	return 0
}

// waitRestarted waits until pod's server container restarted since it
// counted before, and runs again.
func (c *testCluster) waitRestarted(t *testing.T, ctx context.Context, ns, pod string, before int32) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, s := range p.Status.ContainerStatuses {
			if s.Name == manifest.ContainerServer {
				return s.RestartCount > before && s.State.Running != nil && s.Started != nil && *s.Started, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("the server of %s did not restart: %v", pod, err)
	}
}

// waitPodReady waits until pod's Ready condition is ready.
func (c *testCluster) waitPodReady(t *testing.T, ctx context.Context, ns, pod string, ready bool) {
	t.Helper()
	want := corev1.ConditionFalse
	if ready {
		want = corev1.ConditionTrue
	}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodReady {
				return cond.Status == want, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("pod %s did not become Ready=%v", pod, ready)
	}
}
