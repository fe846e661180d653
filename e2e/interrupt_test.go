package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestInterruptedUpConverges: Ctrl-C during `up` stops the wait at once
// with an error saying how to continue, and running `up` again finishes
// the job.
func TestInterruptedUpConverges(t *testing.T) {
	c := requireCluster(t)
	bin := binary(t)
	ns := c.namespace(t, "intr")
	args := []string{"up", "-n", ns, "--flavor", "mariadb", "--image", c.mariadbImage, "--replicas", "2"}
	cmd, lines, seen := startUntil(t, c, bin, nil, args, func(line string) bool { return strings.HasPrefix(line, "waiting for") })
	interrupted := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		seen = append(seen, lines.Text())
	}
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("up exited 0 after Ctrl-C:\n%s", strings.Join(seen, "\n"))
	}
	if took := time.Since(interrupted); took > 5*time.Second {
		t.Errorf("up took %s to stop after Ctrl-C", took)
	}
	last := seen[len(seen)-1]
	if !strings.HasPrefix(last, "Error: ") || !strings.Contains(last, "again") {
		t.Errorf("after Ctrl-C want an error saying to run up again, got:\n%s", strings.Join(seen, "\n"))
	}
	res := c.mustSucceed(t, 5*time.Minute, args...)
	if !strings.Contains(res.stdout, "is ready") {
		t.Errorf("the second up did not converge:\n%s", res)
	}
	if pods := c.podNames(t, context.Background(), ns); len(pods) != 2 {
		t.Errorf("after the second up want 2 pods, got %v", pods)
	}
}

// TestUpInterruptedOnceThePrimaryIsReady: Ctrl-C right after "mysql-0:
// ready" on a new cluster. The record already says the cluster holds data,
// so once mysql-0's volume is lost its new pod refuses to start empty and
// writable, while the replica (which goes on cloning without mysqlctl)
// keeps the rows.
func TestUpInterruptedOnceThePrimaryIsReady(t *testing.T) {
	c := requireCluster(t)
	bin := binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	ns := c.namespace(t, "intrready")
	cmd, lines, seen := startUntil(t, c, bin, nil, []string{"up", "-n", ns, "--flavor", "mariadb", "--image", c.mariadbImage, "--replicas", "2"},
		func(line string) bool { return strings.TrimSpace(line) == "mysql-0: ready" })
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		seen = append(seen, lines.Text())
	}
	_ = cmd.Wait()
	record, err := c.client.CoreV1().ConfigMaps(ns).Get(ctx, "mysql-state", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the record after Ctrl-C: %v", err)
	}
	if record.Data["initialized"] == "" {
		t.Fatalf("after Ctrl-C at mysql-0's readiness the record is %v, want it to say the cluster holds data:\n%s",
			record.Data, strings.Join(seen, "\n"))
	}
	c.waitPodsReady(t, ctx, ns, manifest.PodSelector("mysql"), 2)
	c.execAs(t, ctx, ns, "mysql-0", c.adminPassword(t, ctx, ns),
		"CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY)", "INSERT INTO shop.orders VALUES (1), (2)")
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.waitRowsIn(t, ctx, ns, "mysql-1", root, "shop.orders", 2)
	t.Logf("the new mysql-0 refused to start: %s", c.losePrimaryVolume(t, ctx, ns, "mysql-0"))
	if n := c.queryThroughPortForward(t, ctx, ns, "mysql-1", root, "SELECT COUNT(*) FROM shop.orders"); n != "2" {
		t.Errorf("mysql-1 holds %s rows, want 2", n)
	}
}

// startUntil starts mysqlctl with args, its stdout into stdout (may be
// nil), and reads its stderr until a line for which at is true, returning
// the command, the rest of its stderr and the lines seen so far.
func startUntil(t *testing.T, c *testCluster, bin string, stdout io.Writer, args []string, at func(string) bool) (*exec.Cmd, *bufio.Scanner, []string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig)
	cmd.Stdout = stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen []string
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		seen = append(seen, lines.Text())
		if at(lines.Text()) {
			break
		}
	}
	return cmd, lines, seen
}
