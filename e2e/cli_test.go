package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cliResult is one run of the mysqlctl binary.
type cliResult struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r cliResult) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout ---\n" + r.stdout + "--- stderr ---\n" + r.stderr
}

// binary is the mysqlctl under test: make test-e2e builds it and says where.
func binary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("MYSQLCTL_E2E_BINARY")
	if path == "" {
		t.Skip("MYSQLCTL_E2E_BINARY is not set: run the e2e suite with `make test-e2e` (or make test), which builds the binary")
	}
	return path
}

// mysqlctl runs the binary with args, the test cluster's kubeconfig and
// extra environment entries, and a deadline.
func (c *testCluster) mysqlctl(t *testing.T, timeout time.Duration, env []string, args ...string) cliResult {
	t.Helper()
	return c.mysqlctlWithInput(t, timeout, env, "", args...)
}

// mysqlctlWithInput is mysqlctl with input on its standard input.
func (c *testCluster) mysqlctlWithInput(t *testing.T, timeout time.Duration, env []string, input string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = append(append(os.Environ(), "KUBECONFIG="+c.kubeconfig), env...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
	default:
		t.Fatalf("run mysqlctl %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("mysqlctl %v did not finish within %s:\n%s", args, timeout, res)
	}
	return res
}

// mustSucceed runs mysqlctl and fails the test unless it exits 0.
func (c *testCluster) mustSucceed(t *testing.T, timeout time.Duration, args ...string) cliResult {
	t.Helper()
	res := c.mysqlctl(t, timeout, nil, args...)
	if res.code != 0 {
		t.Fatalf("mysqlctl %s failed:\n%s", strings.Join(args, " "), res)
	}
	return res
}
