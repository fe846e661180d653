package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestInterruptedCloneStartsOver: a new replica's pod is deleted while it
// clones a datadir of over 200 MB. The re-created pod clones again from
// the start and replicates; no partially received datadir is ever started
// (the checksums of every table match afterwards).
func TestInterruptedCloneStartsOver(t *testing.T) {
	c, ctx, ns := mariadbScenario(t, "clone", 1, 12*time.Minute)
	pw := c.adminPassword(t, ctx, ns)
	// About 440 MB of incompressible rows, written by the server itself.
	c.execAs(t, ctx, ns, "mysql-0", pw,
		"CREATE DATABASE big",
		"CREATE TABLE big.blobs (id INT AUTO_INCREMENT PRIMARY KEY, b LONGBLOB)",
	)
	start := time.Now()
	for i := 0; i < 16; i++ { // the sequence engine's seq_1_to_N lives in every database
		c.execAs(t, ctx, ns, "mysql-0", pw, "INSERT INTO big.blobs (b) SELECT RANDOM_BYTES(1024) FROM big.seq_1_to_27000")
	}
	t.Logf("FIGURE wrote 16 x 27000 rows of 1 KiB in %s", time.Since(start).Round(time.Second))
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	mb := c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, "SELECT SUM(LENGTH(b)) DIV 1000000 FROM big.blobs")
	if n, err := strconv.Atoi(mb); err != nil || n < 200 {
		t.Fatalf("only %s MB of rows: the clone must move over 200 MB", mb)
	}

	// A clone that finishes before the deletion reaches the pod proves
	// nothing: then the replica is cloned again (reclone) and interrupted
	// again, three times at most.
	start = time.Now()
	clone := []string{"scale", "-n", ns, "--replicas", "2"}
	for attempt := 1; ; attempt++ {
		done := make(chan cliResult, 1)
		go func() { done <- c.mysqlctl(t, 10*time.Minute, nil, clone...) }()
		oldUID := c.waitCloning(t, ctx, ns, "mysql-1")
		if err := c.client.CoreV1().Pods(ns).Delete(ctx, "mysql-1", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Logf("deleted mysql-1 while it was receiving the backup (attempt %d)", attempt)
		if res := <-done; res.code != 0 {
			// The wait may have seen the pod go; the cluster must still settle.
			c.mustSucceed(t, 8*time.Minute, "up", "-n", ns)
		}
		c.mustSucceed(t, 3*time.Minute, "check", "-n", ns, "--checksum")
		if uid := c.podUID(t, ctx, ns, "mysql-1"); uid == oldUID {
			t.Fatal("mysql-1 was not re-created")
		}
		// The new pod cloned again from the start: the half-received copy
		// had no completion marker.
		logs := c.containerLogs(t, ctx, ns, "mysql-1", "clone")
		if strings.Contains(logs, "clone complete") && !strings.Contains(logs, "already cloned") {
			break
		}
		if attempt == 3 {
			t.Fatalf("three clones finished before the deletion reached the pod; the last clone log:\n%s", logs)
		}
		clone = []string{"reclone", "mysql-1", "-n", ns}
	}
	t.Logf("FIGURE interrupted clone of %s MB: settled and checksummed in %s", mb, time.Since(start).Round(time.Second))
}

// waitCloning waits until pod's clone container says it is receiving a
// hot backup and has not finished receiving it; it returns the pod's UID.
func (c *testCluster) waitCloning(t *testing.T, ctx context.Context, ns, name string) string {
	t.Helper()
	var uid, logs string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		pod, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		uid = string(pod.UID)
		raw, err := c.client.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{Container: "clone"}).DoRaw(ctx)
		if err != nil {
			return false, nil // not started yet
		}
		logs = string(raw)
		return strings.Contains(logs, "receiving a hot backup") && !strings.Contains(logs, "preparing the backup"), nil
	})
	if err != nil {
		t.Fatalf("%s was never caught receiving its clone; clone log:\n%s", name, logs)
	}
	return uid
}

// containerLogs is the log of one container of pod.
func (c *testCluster) containerLogs(t *testing.T, ctx context.Context, ns, pod, container string) string {
	t.Helper()
	raw, err := c.client.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("logs of %s/%s: %v", pod, container, err)
	}
	return string(raw)
}
