package sql

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
)

// The MariaDB integration tests start real mariadbd processes on 127.0.0.1,
// each in its own temporary directory, from one datadir template that
// mariadb-install-db builds once per test binary (copying it takes a few
// milliseconds, installing takes seconds). They skip only when mariadbd is
// not installed, and fail instead when CI=true, so CI never skips them.

// mariadbTemplate is the datadir template, built on first use and removed
// by TestMain.
var mariadbTemplate struct {
	once sync.Once
	root string // temp dir holding data/
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mariadbTemplate.root != "" {
		os.RemoveAll(mariadbTemplate.root)
	}
	if testTLS.dir != "" {
		os.RemoveAll(testTLS.dir)
	}
	removeMySQLImage() // mysql_harness_test.go
	os.Exit(code)
}

// testTLS is a CA and one certificate for 127.0.0.1 that every test server
// presents, as the pods' servers do: replication verifies it (REQUIRE SSL).
var testTLS struct {
	once sync.Once
	dir  string // ca.crt, tls.crt, tls.key
	err  error
}

// tlsDir returns the directory of the test servers' TLS files.
func tlsDir(t *testing.T) string {
	t.Helper()
	testTLS.once.Do(func() {
		testTLS.dir, testTLS.err = writeTestTLS()
	})
	if testTLS.err != nil {
		t.Fatal(testTLS.err)
	}
	return testTLS.dir
}

func writeTestTLS() (string, error) {
	dir, err := os.MkdirTemp("", "msql-tls-")
	if err != nil {
		return "", err
	}
	now := time.Now()
	ca, err := certs.NewCA("test CA", now, time.Hour)
	if err != nil {
		return dir, err
	}
	cert, key, err := ca.Issue("127.0.0.1", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, now, time.Hour)
	if err != nil {
		return dir, err
	}
	// ca.key lets a test issue a renewed certificate the servers accept
	// (tls_reload_integration_test.go): they load only one their CA signed.
	for name, data := range map[string][]byte{"ca.crt": ca.CertPEM, "ca.key": ca.KeyPEM, "tls.crt": cert, "tls.key": key} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return dir, err
		}
	}
	return dir, os.Chmod(dir, 0o755)
}

// findBinary looks name up on PATH, then in the directories Debian uses.
func findBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// serverArgs are the options every test server and the template share; the
// small InnoDB sizes keep a server's start under a second.
var smallInnoDB = []string{"--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M"}

func userArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--user=root"} // mariadbd refuses to run as root otherwise
	}
	return nil
}

// templateDir returns the datadir template, skipping the test when mariadbd
// is absent and failing it when the template cannot be built.
func templateDir(t *testing.T) string {
	t.Helper()
	if findBinary("mariadbd") == "" {
		msg := "mariadbd not found on PATH or in /usr/sbin: install mariadb-server to run the MariaDB integration tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true, so this is a failure)")
		}
		t.Skip(msg)
	}
	mariadbTemplate.once.Do(func() {
		install := findBinary("mariadb-install-db")
		if install == "" {
			mariadbTemplate.err = fmt.Errorf("mariadbd is installed but mariadb-install-db is not")
			return
		}
		root, err := os.MkdirTemp("", "mysqlctl-sqltpl-")
		if err != nil {
			mariadbTemplate.err = err
			return
		}
		mariadbTemplate.root = root
		args := append([]string{"--no-defaults", "--datadir=" + filepath.Join(root, "data"),
			"--auth-root-authentication-method=normal", "--skip-test-db"}, userArgs()...)
		out, err := exec.Command(install, append(args, smallInnoDB...)...).CombinedOutput()
		if err != nil {
			mariadbTemplate.err = fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
		}
	})
	if mariadbTemplate.err != nil {
		t.Fatal(mariadbTemplate.err)
	}
	return filepath.Join(mariadbTemplate.root, "data")
}

// mariadbServer is one running mariadbd.
type mariadbServer struct {
	name   string
	id     uint32
	port   int
	dir    string
	tls    string // ca.crt, tls.crt and tls.key
	conn   *Conn  // root's, opened at start: it keeps the privileges root had then
	extra  []string
	exited chan struct{} // closed when the process ends
}

// startMariaDB starts a server and returns it once it accepts logins.
func startMariaDB(t *testing.T, name string, id uint32, extra ...string) *mariadbServer {
	t.Helper()
	s := launchMariaDB(t, name, id, extra...)
	s.waitReady(t)
	return s
}

// launchMariaDB starts a server with binary log and GTID strict mode
// (and the extra options) without waiting for it, so several can start at
// once. It is stopped and its directory removed when the test ends, whether
// it passed or not.
func launchMariaDB(t *testing.T, name string, id uint32, extra ...string) *mariadbServer {
	t.Helper()
	tpl := templateDir(t)
	dir, err := os.MkdirTemp("", "msql-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := copyDir(tpl, filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	s := &mariadbServer{name: name, id: id, port: freePort(t), dir: dir, tls: tlsDir(t), extra: extra, exited: make(chan struct{})}
	cmd := exec.Command(findBinary("mariadbd"), s.args()...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { stopProcess(cmd, s.exited) })
	return s
}

func (s *mariadbServer) args() []string {
	args := append([]string{"--no-defaults"}, userArgs()...)
	args = append(args,
		"--datadir="+filepath.Join(s.dir, "data"), "--socket="+filepath.Join(s.dir, "s.sock"),
		"--pid-file="+filepath.Join(s.dir, "p.pid"), "--log-error="+filepath.Join(s.dir, "error.log"),
		"--bind-address=127.0.0.1", "--port="+strconv.Itoa(s.port), "--server-id="+strconv.Itoa(int(s.id)),
		"--log-bin=mysql-bin", "--log-slave-updates", "--binlog-format=ROW", "--gtid-strict-mode=ON",
		"--report-host=127.0.0.1", "--report-port="+strconv.Itoa(s.port),
		"--performance-schema=OFF", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0",
		"--ssl-ca="+filepath.Join(s.tls, "ca.crt"), "--ssl-cert="+filepath.Join(s.tls, "tls.crt"),
		"--ssl-key="+filepath.Join(s.tls, "tls.key"),
	)
	args = append(args, smallInnoDB...)
	return append(args, s.extra...)
}

// waitReady opens the server's Conn as soon as the server accepts it.
func (s *mariadbServer) waitReady(t *testing.T) {
	t.Helper()
	s.conn = waitLocalServer(t, s.name, s.target("root", ""), s.exited, s.errorLog)
}

// target logs in over TLS verified against the test CA, as mysqlctl does.
func (s *mariadbServer) target(user, password string) Target {
	return localTarget(s.name, s.tls, s.port, user, password)
}

func (s *mariadbServer) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "error.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// stopProcess asks the server to shut down and kills it if it takes long.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// copyDir copies the regular files and directories of src into dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o660)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// waitLocalServer opens a Conn to a local test server (either family) as
// soon as it accepts one, and fails the test when the server exits or is
// not ready within 30 s, with its error log.
func waitLocalServer(t *testing.T, name string, target Target, exited <-chan struct{}, errorLog func() string) *Conn {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := Open(context.Background(), target)
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return c
		}
		select {
		case <-exited:
			t.Fatalf("%s exited while starting:\n%s", name, errorLog())
		case <-deadline:
			t.Fatalf("%s not ready after 30s: %v\n%s", name, err, errorLog())
		case <-tick.C:
		}
	}
}

// localTarget logs in to a local test server over TLS verified against
// the test CA in tlsDir, as mysqlctl does.
func localTarget(name, tlsDir string, port int, user, password string) Target {
	ca, err := os.ReadFile(filepath.Join(tlsDir, "ca.crt"))
	if err != nil {
		panic(err)
	}
	cfg, err := certs.ClientTLS(ca, "127.0.0.1")
	if err != nil {
		panic(err)
	}
	return Target{Name: name, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		User: user, Password: password, Timeout: 5 * time.Second, TLS: cfg}
}
