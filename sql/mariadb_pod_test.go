package sql

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// podKit runs the pods' statements against the test servers as the pod
// scripts do: the files PodStatements renders, filled by sql_fill from
// configs/scripts/statements.sh (the scripts' own filler, not a Go copy),
// piped to the mariadb client's stdin.
type podKit struct {
	dir    string // CONFIG_DIR: the rendered statement files
	filler string // statements.sh
	client string // the mariadb command-line client
}

// login is an account the client logs in with.
type login struct{ user, password string }

// The accounts of the tests: root as mariadb-install-db leaves it (no
// password), and the accounts FileAccounts creates. The admin password
// looks like a placeholder, to prove sql_fill does not expand values.
var (
	rootLogin  = login{"root", ""}
	adminLogin = login{"mysqlctl", `adm'n\pw{{gtid}}&`}
	replLogin  = login{"repl", replPassword}
)

// newPodKit renders the MariaDB statement files into a temporary directory.
func newPodKit(t *testing.T) *podKit {
	t.Helper()
	files, err := PodStatements(MariaDB, "10.11")
	if err != nil {
		t.Fatal(err)
	}
	k := &podKit{dir: t.TempDir(), client: findBinary("mariadb")}
	if k.client == "" {
		t.Fatal("mariadbd is installed but the mariadb client is not: apt-get install mariadb-client")
	}
	k.install(t, files)
	return k
}

// fill runs `sql_fill FILE NAME=VALUE...` in bash, as the scripts do.
func (k *podKit) fill(t *testing.T, file string, values ...string) string {
	t.Helper()
	args := append([]string{"-c", `set -euo pipefail; source "$0"; sql_fill "$@"`, k.filler, file}, values...)
	cmd := exec.Command("bash", args...)
	cmd.Env = append(os.Environ(), "CONFIG_DIR="+k.dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sql_fill %s: %v\n%s", file, err, stderr.String())
	}
	return string(out)
}

// run pipes statements to the client as sql_script does and returns its
// batch output; the password travels in the environment.
func (k *podKit) run(s *mariadbServer, as login, statements string) (string, error) {
	cmd := exec.Command(k.client, "--no-defaults", "--protocol=TCP", "--host=127.0.0.1",
		"--port="+strconv.Itoa(s.port), "--user="+as.user, "--batch", "--skip-column-names")
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+as.password)
	cmd.Stdin = strings.NewReader(statements)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (k *podKit) mustRun(t *testing.T, s *mariadbServer, as login, statements string) string {
	t.Helper()
	out, err := k.run(s, as, statements)
	if err != nil {
		t.Fatalf("%s as %s: %v\n%s", s.name, as.user, err, out)
	}
	return out
}

// bootstrapPrimary does what the sidecar's bootstrap_primary does: the
// accounts as root, then, as the admin account, READ_ONLY ADMIN revoked
// from every root account that can log in.
func (k *podKit) bootstrapPrimary(t *testing.T, s *mariadbServer) {
	t.Helper()
	k.createAccounts(t, s)
	hosts := k.mustRun(t, s, adminLogin, k.fill(t, FileRootHosts))
	for _, host := range strings.Fields(hosts) {
		k.mustRun(t, s, adminLogin, k.fill(t, FileRestrictRoot, "root_host="+host))
	}
}

// createAccounts creates adminLogin's and replLogin's accounts as root.
func (k *podKit) createAccounts(t *testing.T, s *mariadbServer) {
	t.Helper()
	k.mustRun(t, s, rootLogin, k.fill(t, FileAccounts, "admin_user="+adminLogin.user,
		"admin_password="+adminLogin.password, "replication_user="+replLogin.user,
		"replication_password="+replLogin.password, "probe_user=mysqlctl_probe", "probe_password=probePW"))
}

// pointAt does what the sidecar does for a fresh clone: change the source
// to source's address from the GTID position gtid, then start replicating.
func (k *podKit) pointAt(t *testing.T, r, source *mariadbServer, as login, gtid string) {
	t.Helper()
	change := k.fill(t, FileChangeSource, "source_host=127.0.0.1", "source_port="+strconv.Itoa(source.port),
		"replication_user="+replLogin.user, "replication_password="+replLogin.password, "gtid="+gtid,
		"source_ca="+filepath.Join(source.tls, "ca.crt"))
	k.mustRun(t, r, as, change+k.fill(t, FileStartReplica))
}

// pointHere does what the sidecar does to repoint a running replica:
// stop it and point it at source from where it stands, read by the
// statement itself, then start it.
func (k *podKit) pointHere(t *testing.T, r, source *mariadbServer, as login) {
	t.Helper()
	change := k.fill(t, FileChangeSourceHere, "source_host=127.0.0.1", "source_port="+strconv.Itoa(source.port),
		"replication_user="+replLogin.user, "replication_password="+replLogin.password,
		"source_ca="+filepath.Join(source.tls, "ca.crt"))
	k.mustRun(t, r, as, change+k.fill(t, FileStartReplica))
}

// open logs in to s as a new session: privileges are read at login, so
// this sees every GRANT and REVOKE made before.
func (s *mariadbServer) open(t *testing.T, as login) *Conn {
	t.Helper()
	c, err := Open(context.Background(), s.target(as.user, as.password))
	if err != nil {
		t.Fatalf("log in to %s as %s: %v", s.name, as.user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// install writes the rendered statement files into the kit's directory,
// as the ConfigMap holds them, and finds the scripts' own filler.
func (k *podKit) install(t *testing.T, files map[string]string) {
	t.Helper()
	var err error
	if k.filler, err = filepath.Abs("../configs/scripts/statements.sh"); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(k.dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
