package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestInterruptedCloneStartsOver: a new replica's pod is deleted while it
// clones a datadir of over 200 MB. The re-created pod clones again from
// the start and replicates; no partially received datadir is ever started
// (the checksums of every table match afterwards).
func TestInterruptedCloneStartsOver(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	ns := c.namespace(t, "clone")
	c.mustSucceed(t, 5*time.Minute, "up", "-n", ns, "--replicas", "1", "--flavor", "mariadb", "--image", c.mariadbImage)
	pw := c.adminPassword(t, ctx, ns)
	// About 220 MB of incompressible rows, written by the server itself.
	c.execAs(t, ctx, ns, "mysql-0", pw,
		"CREATE DATABASE big",
		"CREATE TABLE big.blobs (id INT AUTO_INCREMENT PRIMARY KEY, b LONGBLOB)",
	)
	start := time.Now()
	for i := 0; i < 8; i++ { // the sequence engine's seq_1_to_N lives in every database
		c.execAs(t, ctx, ns, "mysql-0", pw, "INSERT INTO big.blobs (b) SELECT RANDOM_BYTES(1024) FROM big.seq_1_to_27000")
	}
	t.Logf("FIGURE wrote 8 x 27000 rows of 1 KiB in %s", time.Since(start).Round(time.Second))

	scaled := make(chan cliResult, 1)
	go func() { scaled <- c.mysqlctl(t, 10*time.Minute, nil, "scale", "-n", ns, "--replicas", "2") }()
	c.waitCloning(t, ctx, ns, "mysql-1")
	if err := c.client.CoreV1().Pods(ns).Delete(ctx, "mysql-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Log("deleted mysql-1 in the middle of its clone")
	res := <-scaled
	if res.code != 0 {
		// The wait may have seen the pod go; the cluster must still settle.
		c.mustSucceed(t, 8*time.Minute, "up", "-n", ns)
	}
	c.mustSucceed(t, 3*time.Minute, "check", "-n", ns, "--checksum")
}

// waitCloning waits until pod's clone init container has been running for
// a moment: the stream has started.
func (c *testCluster) waitCloning(t *testing.T, ctx context.Context, ns, name string) {
	t.Helper()
	var seen string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		pod, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			seen = err.Error()
			return false, nil
		}
		for _, s := range pod.Status.InitContainerStatuses {
			if s.Name == "clone" {
				seen = stateText(s.State)
				if r := s.State.Running; r != nil && time.Since(r.StartedAt.Time) > 2*time.Second {
					return true, nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s never started cloning: %s", name, strings.TrimSpace(seen))
	}
}
