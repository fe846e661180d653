package sql

import (
	"archive/tar"
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The MySQL integration tests run real mysqld processes of the MySQL 9.7.4
// image the local cluster build caches (`make cluster` builds it). The host
// has no MySQL, and the image's binaries need its own (Debian sid) glibc,
// so its root filesystem is extracted once per test binary and every
// mysqld and mysql client runs chrooted into it, as root. Inside, /t holds
// the datadir template (mysqld --initialize-insecure, once), the test TLS
// files and one directory per server; paths given to the servers are the
// chroot's.
//
// When to skip: the unit tests run in CI before any image is built, so a
// missing image (or a user who cannot chroot) skips, saying how to get it.
// Only an image named explicitly by MYSQLCTL_MYSQL_IMAGE_TAR under CI=true
// must be usable: then a missing file or non-root user fails the test.
// Anything that goes wrong after the image is found always fails.

// mysqlImage is the extracted root filesystem, removed by TestMain.
var mysqlImage struct {
	once sync.Once
	root string // temp dir holding the image's files, t/tpl and t/tls
	err  error
}

// removeMySQLImage is called by TestMain once every test has ended.
func removeMySQLImage() {
	if mysqlImage.root != "" {
		os.RemoveAll(mysqlImage.root)
	}
}

// mysqlImageTar is the image archive: MYSQLCTL_MYSQL_IMAGE_TAR, else what
// the cluster build recorded in its cache (CACHE_DIR as
// e2e/localkube/lib/common.sh defines it), images/mysql.path. from says
// where the name was looked for.
func mysqlImageTar() (path, from string, explicit bool) {
	if p := os.Getenv("MYSQLCTL_MYSQL_IMAGE_TAR"); p != "" {
		return p, "MYSQLCTL_MYSQL_IMAGE_TAR", true
	}
	cache := os.Getenv("MYSQLCTL_CACHE_DIR")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			base = filepath.Join(os.Getenv("HOME"), ".cache")
		}
		cache = filepath.Join(base, "mysqlctl")
	}
	from = filepath.Join(cache, "images", "mysql.path")
	b, _ := os.ReadFile(from)
	return strings.TrimSpace(string(b)), from, false
}

// mysqlRoot returns the extracted image with its datadir template.
func mysqlRoot(t *testing.T) string {
	t.Helper()
	tarPath, from, explicit := mysqlImageTar()
	unusable := ""
	if _, err := os.Stat(tarPath); tarPath == "" || err != nil {
		unusable = fmt.Sprintf("no MySQL 9.7.4 image archive (%q, from %s): `make cluster` builds and caches it, or set MYSQLCTL_MYSQL_IMAGE_TAR", tarPath, from)
	} else if os.Geteuid() != 0 {
		unusable = "the MySQL tests chroot into the image: run them as root"
	}
	if unusable != "" {
		if explicit && os.Getenv("CI") == "true" {
			t.Fatal(unusable + " (MYSQLCTL_MYSQL_IMAGE_TAR is set and CI=true, so this is a failure)")
		}
		t.Skip(unusable)
	}
	tls := tlsDir(t) // the CA the tests' Conns trust, copied into the image
	mysqlImage.once.Do(func() {
		mysqlImage.root, mysqlImage.err = os.MkdirTemp("", "mysqlctl-mysqlroot-")
		if mysqlImage.err == nil {
			mysqlImage.err = prepareMySQLRoot(mysqlImage.root, tarPath, tls)
		}
	})
	if mysqlImage.err != nil {
		t.Fatal(mysqlImage.err)
	}
	return mysqlImage.root
}

// prepareMySQLRoot extracts the image, copies the test TLS files in and
// initialises the template with a root@'%' without password: the image's
// entrypoint creates that account, and the servers' skip_name_resolve
// would not let root@localhost log in over TCP.
func prepareMySQLRoot(root, tarPath, tls string) error {
	if err := extractImage(tarPath, root); err != nil {
		return fmt.Errorf("extract %s: %w", tarPath, err)
	}
	if err := copyDir(tls, filepath.Join(root, "t", "tls")); err != nil {
		return err
	}
	init := "CREATE USER 'root'@'%';\nGRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;\n"
	if err := os.WriteFile(filepath.Join(root, "t", "init.sql"), []byte(init), 0o644); err != nil {
		return err
	}
	args := append([]string{"--no-defaults", "--user=root", "--initialize-insecure", "--datadir=/t/tpl",
		"--init-file=/t/init.sql", "--log-error=/t/init.log"}, mysqlInnoDB...)
	if out, err := chrootCommand(root, "/usr/sbin/mysqld", args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(root, "t", "init.log"))
		return fmt.Errorf("mysqld --initialize-insecure: %v\n%s%s", err, out, log)
	}
	return nil
}

// mysqlInnoDB keeps the template small (a 32 MB redo log instead of 100 MB;
// smaller makes the initialisation wait for the log) and the memory low.
var mysqlInnoDB = []string{"--innodb-buffer-pool-size=16M", "--innodb-redo-log-capacity=32M"}

// chrootCommand runs name, a path inside root, chrooted into root.
func chrootCommand(root, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// extractImage unpacks the layers of a docker-archive (manifest.json and
// one tar per layer, gzipped or not) into dir, in the manifest's order.
func extractImage(archive, dir string) error {
	var manifest []struct{ Layers []string }
	err := readArchiveMember(archive, "manifest.json", func(r io.Reader) error {
		return json.NewDecoder(r).Decode(&manifest)
	})
	if err != nil || len(manifest) != 1 || len(manifest[0].Layers) == 0 {
		return fmt.Errorf("manifest.json: want one image with layers: %v", err)
	}
	for _, layer := range manifest[0].Layers {
		if err := readArchiveMember(archive, layer, func(r io.Reader) error { return untar(r, dir) }); err != nil {
			return fmt.Errorf("layer %s: %w", layer, err)
		}
	}
	return nil
}

func readArchiveMember(archive, name string, read func(io.Reader) error) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("no %s in %s", name, archive)
		}
		if err != nil {
			return err
		}
		if h.Name == name {
			return read(tr)
		}
	}
}

// untar pipes a layer to the host's tar, which keeps owners, modes, links
// and special files (and gunzips faster than compress/gzip).
func untar(r io.Reader, dir string) error {
	br := bufio.NewReader(r)
	args := []string{"-x", "-f", "-", "-C", dir}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		args = append(args, "-z")
	}
	cmd := exec.Command("tar", args...)
	cmd.Stdin = br
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tar: %v\n%s", err, out)
	}
	return nil
}

// mysqlServer is one running mysqld, chrooted into the image.
type mysqlServer struct {
	name   string
	id     uint32
	port   int
	root   string // the image's root
	dir    string // the server's directory, on the host
	inner  string // the same directory inside the chroot
	tls    string // the test CA and certificate on the host (/t/tls inside)
	conn   *Conn  // root's, opened at start
	extra  []string
	exited chan struct{} // closed when the process ends
}

// launchMySQL starts mysqld with the pods' replication settings (binary
// log, GTIDs, TLS) on a copy of the template, without waiting for it. It
// is stopped and its directory removed when the test ends.
func launchMySQL(t *testing.T, name string, id uint32, extra ...string) *mysqlServer {
	t.Helper()
	root := mysqlRoot(t)
	dir, err := os.MkdirTemp(filepath.Join(root, "t"), name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Each copy must get its own server_uuid: without auto.cnf, mysqld
	// makes one at its first start.
	if err := copyDir(filepath.Join(root, "t", "tpl"), filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "data", "auto.cnf")); err != nil {
		t.Fatal(err)
	}
	s := &mysqlServer{name: name, id: id, port: freePort(t), root: root, dir: dir, tls: tlsDir(t),
		inner: "/t/" + filepath.Base(dir), extra: extra, exited: make(chan struct{})}
	cmd := chrootCommand(root, "/usr/sbin/mysqld", s.args()...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { cmd.Wait(); close(s.exited) }()
	// Killed, not shut down: the datadir is thrown away, and a source's
	// shutdown waits some 8 s for its binlog dump threads to give up.
	t.Cleanup(func() { cmd.Process.Kill(); <-s.exited })
	return s
}

// args are configs/cnf/mysql/common.cnf's replication settings, plus what
// a test server on a shared host needs: its own port, socket and files,
// no X plugin, and faster, less durable commits.
func (s *mysqlServer) args() []string {
	args := []string{"--no-defaults", "--user=root",
		"--datadir=" + s.inner + "/data", "--socket=" + s.inner + "/s.sock",
		"--pid-file=" + s.inner + "/p.pid", "--log-error=" + s.inner + "/error.log",
		"--bind-address=127.0.0.1", "--port=" + strconv.Itoa(s.port), "--server-id=" + strconv.Itoa(int(s.id)),
		"--log-bin=mysql-bin", "--relay-log=relay-bin", "--gtid-mode=ON", "--enforce-gtid-consistency=ON",
		"--mysqlx=OFF", "--skip-name-resolve", "--secure-file-priv=NULL",
		"--report-host=127.0.0.1", "--report-port=" + strconv.Itoa(s.port),
		"--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0",
		"--ssl-ca=/t/tls/ca.crt", "--ssl-cert=/t/tls/tls.crt", "--ssl-key=/t/tls/tls.key",
	}
	args = append(args, mysqlInnoDB...)
	return append(args, s.extra...)
}
