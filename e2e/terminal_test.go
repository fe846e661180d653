package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"k8s.io/apimachinery/pkg/util/wait"
)

// terminal is mysqlctl run on a pseudo-terminal, as a person at a shell
// runs it: what it prints is read back, keys are typed into it.
type terminal struct {
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	seen bytes.Buffer
	done chan error
}

func (c *testCluster) startTerminal(t *testing.T, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig, "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("start mysqlctl %v on a terminal: %v", args, err)
	}
	term := &terminal{cmd: cmd, tty: tty, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			term.mu.Lock()
			term.seen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { term.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		tty.Close()
	})
	return term
}

func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.seen.String()
}

// expect waits until the terminal has shown want after the first from
// bytes, and returns where that showing ends.
func (term *terminal) expect(t *testing.T, from int, want string, within time.Duration) int {
	t.Helper()
	end := -1
	_ = wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, within, true, func(context.Context) (bool, error) {
		if s := term.screen(); len(s) >= from {
			if i := strings.Index(s[from:], want); i >= 0 {
				end = from + i + len(want)
			}
		}
		return end >= 0, nil
	})
	if end < 0 {
		t.Fatalf("the terminal never showed %q; it shows:\n%s", want, term.screen())
	}
	return end
}

func (term *terminal) typeIn(t *testing.T, keys string) {
	t.Helper()
	if _, err := term.tty.WriteString(keys); err != nil {
		t.Fatalf("type %q: %v", keys, err)
	}
}

// exitCode waits for mysqlctl to end and returns its exit code.
func (term *terminal) exitCode(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case err := <-term.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("mysqlctl on a terminal: %v", err)
		}
		return 0
	case <-time.After(within):
		t.Fatalf("mysqlctl did not end within %s; the terminal shows:\n%s", within, term.screen())
	}
	return -1
}

// sqlOnATerminal drives an interactive `mysqlctl sql` session: a query and
// its answer, Ctrl-C that reaches the client (it kills the running query,
// the session goes on), a window resize, and `exit`, whose code is
// mysqlctl's.
func (c *testCluster) sqlOnATerminal(t *testing.T, ctx context.Context, ns string) {
	term := c.startTerminal(t, "sql", "-n", ns)
	at := term.expect(t, 0, "MariaDB [(none)]>", time.Minute)
	term.typeIn(t, "SELECT 6 * 7 AS answer;\r")
	at = term.expect(t, at, "42", 30*time.Second)
	at = term.expect(t, at, "MariaDB [(none)]>", 30*time.Second)
	term.typeIn(t, "SELECT SLEEP(60);\r")
	at = term.expect(t, at, "SELECT SLEEP(60);", 30*time.Second)
	term.typeIn(t, "\x03")
	at = term.expect(t, at, "query killed", 30*time.Second)
	at = term.expect(t, at, "MariaDB [(none)]>", 30*time.Second)
	if err := pty.Setsize(term.tty, &pty.Winsize{Rows: 30, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	term.typeIn(t, "SELECT 'still here' AS s;\r")
	term.expect(t, at, "still here", 30*time.Second)
	term.typeIn(t, "exit\r")
	if code := term.exitCode(t, 30*time.Second); code != 0 {
		t.Errorf("exit ended mysqlctl sql with code %d; the terminal shows:\n%s", code, term.screen())
	}
}
