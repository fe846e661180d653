package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestLostPrimaryVolumeIsNotAnEmptyPrimary: the primary's volume and pod
// are deleted. The new mysql-0 must not start as an empty, writable
// primary: its clone container refuses, the replicas keep every row, and
// check names the replica that holds the data. promote refuses mysql-2,
// which stopped replicating before the last row, and --force takes it:
// writes through mysql-primary succeed, the row only mysql-1 had is lost,
// mysql-1 waits for a reclone, and the old primary clones from the new one;
// on each flavour.
func TestLostPrimaryVolumeIsNotAnEmptyPrimary(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, lostPrimaryVolume)
}

func lostPrimaryVolume(t *testing.T, c *testCluster, f flavour) {
	ctx, ns := c.scenario(t, f, "lostprimary", 3, 8*time.Minute)
	admin := c.adminPassword(t, ctx, ns)
	c.execAs(t, ctx, ns, "mysql-0", admin,
		"CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY)", "INSERT INTO shop.orders VALUES (1), (2), (3)")
	c.mustSucceed(t, time.Minute, "check", "-n", ns, "--checksum") // the replicas have the rows
	c.execAs(t, ctx, ns, "mysql-2", admin, "STOP REPLICA")         // both flavours' word
	c.execAs(t, ctx, ns, "mysql-0", admin, "INSERT INTO shop.orders VALUES (4)")
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.waitRowsIn(t, ctx, ns, "mysql-1", root, "shop.orders", 4)

	t.Logf("the new mysql-0 refused to start: %s", c.losePrimaryVolume(t, ctx, ns, "mysql-0"))

	check := c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
	if check.code != 3 || !strings.Contains(check.stdout, "mysql-1 holds the most transactions") {
		t.Errorf("check should fail and name mysql-1 as holding the data:\n%s", check)
	}
	if n := c.queryThroughPortForward(t, ctx, ns, "mysql-1", root, "SELECT COUNT(*) FROM shop.orders"); n != "4" {
		t.Errorf("mysql-1 holds %s rows, want 4", n)
	}

	behind := c.mysqlctl(t, time.Minute, nil, "promote", "mysql-2", "-n", ns)
	if behind.code == 0 || !strings.Contains(behind.stderr, "mysql-1 received transactions mysql-2 has not") {
		t.Errorf("promoting the replica that is behind was not refused:\n%s", behind)
	}
	// --force takes mysql-2 anyway: row 4, which only mysql-1 holds, is
	// lost, and mysql-1 stops replicating until it is cloned again.
	promoted := c.mustSucceed(t, 2*time.Minute, "promote", "mysql-2", "--force", "-n", ns)
	for _, want := range []string{"primary: mysql-2 (was mysql-0); writes go to mysql-primary", "are lost",
		"not repointed: mysql-1 holds transactions mysql-2 lacks (lost by --force): its replication is stopped; run mysqlctl reclone mysql-1"} {
		if !strings.Contains(promoted.stdout, want) {
			t.Errorf("promote output lacks %q:\n%s", want, promoted)
		}
	}
	c.runClientPod(t, ctx, ns, `for i in $(seq 60); do `+f.client+` -h mysql-primary -uroot -p"$PW" --connect-timeout=2 -e "INSERT INTO shop.orders VALUES (5)" && exit 0; sleep 1; done; exit 1`, root)
	c.mustSucceed(t, 5*time.Minute, "reclone", "mysql-1", "-n", ns)
	c.waitPodsReady(t, ctx, ns, manifest.PodSelector("mysql"), 3)
	c.mustSucceed(t, 2*time.Minute, "check", "-n", ns, "--checksum")
	for _, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		got := c.queryThroughPortForward(t, ctx, ns, pod, root, "SELECT GROUP_CONCAT(id ORDER BY id) FROM shop.orders")
		if got != "1,2,3,5" {
			t.Errorf("%s holds rows %s, want 1,2,3,5 (4 lost by the forced promote)", pod, got)
		}
	}
}

// losePrimaryVolume deletes pod's volume, then pod, and returns the
// message with which its new pod's clone container refused to start it
// empty (waitCloneRefused).
func (c *testCluster) losePrimaryVolume(t *testing.T, ctx context.Context, ns, pod string) string {
	t.Helper()
	oldUID := c.podUID(t, ctx, ns, pod)
	if err := c.client.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data-"+pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.client.CoreV1().Pods(ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	return c.waitCloneRefused(t, ctx, ns, pod, oldUID)
}

// waitCloneRefused waits until a new pod of that name (not oldUID) has had
// its clone container fail at least once with the server container never
// started, and returns its message.
func (c *testCluster) waitCloneRefused(t *testing.T, ctx context.Context, ns, name, oldUID string) string {
	t.Helper()
	var seen, msg string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		pod, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || string(pod.UID) == oldUID {
			seen = "the old pod, or none yet"
			return false, nil
		}
		for _, s := range pod.Status.ContainerStatuses {
			if s.State.Running != nil || s.RestartCount > 0 {
				t.Fatalf("the server container of %s started on an empty volume: %s", name, stateText(s.State))
			}
		}
		for _, s := range pod.Status.InitContainerStatuses {
			if s.Name != "clone" {
				continue
			}
			seen = stateText(s.State)
			if term := failedTermination(s); term != nil {
				tail := int64(5)
				logs, _ := c.client.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{Container: "clone", TailLines: &tail, Previous: s.State.Terminated == nil}).DoRaw(ctx)
				msg = strings.TrimSpace(string(logs))
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("the clone container of %s never refused: last seen %s", name, seen)
	}
	return msg
}

func failedTermination(s corev1.ContainerStatus) *corev1.ContainerStateTerminated {
	if t := s.State.Terminated; t != nil && t.ExitCode != 0 {
		return t
	}
	if t := s.LastTerminationState.Terminated; t != nil && t.ExitCode != 0 {
		return t
	}
	return nil
}
