package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestSwitchoverLosesNoAcknowledgedWrite: a writer inserts numbered rows
// through mysql-primary, reconnecting on errors, while the primary moves
// to mysql-2. Every row is on every server afterwards, check passes, and
// the moved role survives re-created pods, a refused scale-down, a
// scale-up and a down/up; then a changed pod template rolls out under a
// writer with the primary last (rolloutUnderAWriter); on each flavour.
func TestSwitchoverLosesNoAcknowledgedWrite(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, switchoverUnderAWriter)
}

func switchoverUnderAWriter(t *testing.T, c *testCluster, f flavour) {
	ctx, ns := c.scenario(t, f, "switchover", 3, 14*time.Minute)
	admin := c.adminPassword(t, ctx, ns)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	// An application account: no READ_ONLY ADMIN, so the fence stops it.
	c.execAs(t, ctx, ns, "mysql-0", admin, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)",
		"CREATE USER app@'%' IDENTIFIED BY 'app-pw'", "GRANT ALL ON app.* TO app@'%'")

	before := c.resourceVersions(t, ctx, ns)
	refused := c.mysqlctl(t, time.Minute, nil, "promote", "mysql-1", "-n", ns)
	if refused.code == 0 || !strings.Contains(refused.stderr, "is healthy and takes writes: move the role without losing anything with mysqlctl switchover") {
		t.Errorf("promote with a healthy primary was not refused:\n%s", refused)
	}
	if after := c.resourceVersions(t, ctx, ns); !equalMaps(before, after) {
		t.Errorf("a refused promote changed objects:\nbefore %v\nafter  %v", before, after)
	}

	const rows = 300
	writer := c.startClientPod(t, ctx, ns, fmt.Sprintf(`for i in $(seq %d); do
  until `+f.client+` -h mysql-primary -uapp -p"$PW" --connect-timeout=2 -e "INSERT IGNORE INTO app.t VALUES ($i)" 2>/dev/null; do sleep 0.05; done
done; echo wrote %d`, rows, rows), "app-pw")
	c.waitRows(t, ctx, ns, "mysql-0", root, 30)
	moved := c.mustSucceed(t, 2*time.Minute, "switchover", "-n", ns, "--to", "mysql-2")
	for _, want := range []string{"primary: mysql-2 (was mysql-0); writes go to mysql-primary", "write downtime: ",
		"mysql-0 replicates from mysql-2", "mysql-1 replicates from mysql-2"} {
		if !strings.Contains(moved.stdout, want) {
			t.Errorf("switchover output lacks %q:\n%s", want, moved)
		}
	}
	t.Logf("switchover:\n%s", moved.stdout)
	if out, ok := c.waitClientPod(t, ctx, ns, writer); !ok {
		t.Fatalf("the writer failed:\n%s", out)
	}
	c.mustSucceed(t, time.Minute, "check", "-n", ns, "--checksum")
	for _, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		c.waitRows(t, ctx, ns, pod, root, rows)
	}

	// The recorded primary's pod is re-created: it comes back writable,
	// behind mysql-primary; mysql-0's comes back a replica.
	for _, pod := range []string{"mysql-2", "mysql-0"} {
		uid := c.podUID(t, ctx, ns, pod)
		if err := c.client.CoreV1().Pods(ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.waitNewPodReady(t, ctx, ns, pod, uid)
	}
	c.runClientPod(t, ctx, ns, `for i in $(seq 60); do `+f.client+` -h mysql-primary -uapp -p"$PW" --connect-timeout=2 -e "INSERT INTO app.t VALUES (1001)" && exit 0; sleep 1; done; exit 1`, "app-pw")
	c.mustSucceed(t, time.Minute, "check", "-n", ns, "--checksum")
	if ro := c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, "SELECT @@read_only"); ro != "1" {
		t.Errorf("mysql-0 came back with read_only %s, want 1 (a replica)", ro)
	}

	before = c.resourceVersions(t, ctx, ns)
	scale := c.mysqlctl(t, time.Minute, nil, "scale", "--replicas", "2", "-n", ns)
	if scale.code != 2 || !strings.Contains(scale.stderr, "would remove mysql-2, the primary: move the primary first with mysqlctl switchover") {
		t.Errorf("scale to 2 with mysql-2 the primary:\n%s", scale)
	}
	if after := c.resourceVersions(t, ctx, ns); !equalMaps(before, after) {
		t.Errorf("a refused scale changed objects:\nbefore %v\nafter  %v", before, after)
	}
	c.mustSucceed(t, 6*time.Minute, "scale", "--replicas", "4", "-n", ns)
	c.waitRows(t, ctx, ns, "mysql-3", root, rows+1)

	c.mustSucceed(t, 2*time.Minute, "down", "-n", ns)
	up := c.mustSucceed(t, 6*time.Minute, append([]string{"up", "-n", ns, "--replicas", "4"}, f.upFlags()...)...)
	if strings.Contains(up.stdout, "configmap/mysql-state configured") {
		t.Errorf("up after down rewrote the record:\n%s", up)
	}
	status := c.mustSucceed(t, time.Minute, "status", "-n", ns, "-o", "json")
	if !strings.Contains(status.stdout, `"recordedPrimary": "mysql-2"`) || !strings.Contains(status.stdout, `"primary": "mysql-2"`) {
		t.Errorf("after down and up the primary is not mysql-2:\n%s", status.stdout)
	}
	c.mustSucceed(t, time.Minute, "check", "-n", ns, "--checksum")
	c.rolloutUnderAWriter(t, ctx, ns, root, admin)
}

// waitRows waits until pod's app.t holds at least want rows.
func (c *testCluster) waitRows(t *testing.T, ctx context.Context, ns, pod, root string, want int) {
	t.Helper()
	c.waitRowsIn(t, ctx, ns, pod, root, "app.t", want)
}

// waitRowsIn waits until pod's table holds at least want rows.
func (c *testCluster) waitRowsIn(t *testing.T, ctx context.Context, ns, pod, root, table string, want int) {
	t.Helper()
	var got string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		got = c.queryThroughPortForward(t, ctx, ns, pod, root, "SELECT COUNT(*) FROM "+table)
		var n int
		fmt.Sscan(got, &n)
		return n >= want, nil
	})
	if err != nil {
		t.Fatalf("%s holds %s rows, want %d", pod, got, want)
	}
}

// waitNewPodReady waits until pod was re-created (another UID) and is Ready.
func (c *testCluster) waitNewPodReady(t *testing.T, ctx context.Context, ns, pod, oldUID string) {
	t.Helper()
	seen := "none yet"
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 4*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil || string(p.UID) == oldUID {
			return false, nil
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == "Ready" {
				seen = string(cond.Status) + " " + cond.Message
				return cond.Status == "True", nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("pod %s was not re-created ready: %s", pod, seen)
	}
}
