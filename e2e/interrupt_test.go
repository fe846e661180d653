package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedUpConverges: Ctrl-C during `up` stops the wait at once
// with an error saying how to continue, and running `up` again finishes
// the job.
func TestInterruptedUpConverges(t *testing.T) {
	c := requireCluster(t)
	bin := binary(t)
	ns := c.namespace(t, "intr")
	args := []string{"up", "-n", ns, "--flavor", "mariadb", "--image", c.mariadbImage, "--replicas", "2"}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig)
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
		if strings.HasPrefix(lines.Text(), "waiting for") {
			break
		}
	}
	interrupted := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		seen = append(seen, lines.Text())
	}
	err = cmd.Wait()
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
