package sql

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mysqlTrio is a MySQL primary and two replicas (super_read_only, as
// configs/cnf/mysql/replica.cnf starts them) replicating by GTID
// auto-position over verified TLS, set up with the statement files the
// pods run on MySQL 9.7 (PodStatements(MySQL84, "9.7"): 9.7 speaks 8.4's
// syntax), filled by the scripts' own sql_fill and piped to the image's
// mysql client.
type mysqlTrio struct {
	primary, replica1, replica2 *mysqlServer
	pod                         *podKit
}

// mysqlSourceCA is the CA file SOURCE_SSL_CA names: a path the replica's
// mysqld opens, inside the chroot.
const mysqlSourceCA = "/t/tls/ca.crt"

func startMySQLTrio(t *testing.T) *mysqlTrio {
	t.Helper()
	replicaCnf := []string{"--read-only=ON", "--super-read-only=ON"}
	tr := &mysqlTrio{
		primary:  launchMySQL(t, "primary", 1),
		replica1: launchMySQL(t, "replica-1", 2, replicaCnf...),
		replica2: launchMySQL(t, "replica-2", 3, replicaCnf...),
		pod:      newMySQLPodKit(t),
	}
	for _, s := range tr.servers() {
		s.waitReady(t)
	}
	tr.pod.mysqlAccounts(t, tr.primary)
	tr.primary.exec(t, "CREATE DATABASE app",
		"CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(50))",
		"INSERT INTO app.t VALUES (1, 'one'), (2, 'two')")
	for _, r := range []*mysqlServer{tr.replica1, tr.replica2} {
		// A clone would carry the accounts; here root lifts the fence to
		// create them and puts it back with the adapter's own statements.
		a := r.conn.Adapter()
		if err := r.conn.Exec(testContext(t), a.MakeWritable()...); err != nil {
			t.Fatal(err)
		}
		tr.pod.mysqlAccounts(t, r)
		if err := r.conn.Exec(testContext(t), a.Fence()...); err != nil {
			t.Fatal(err)
		}
		tr.pod.mysqlPointAt(t, r, tr.primary)
	}
	tr.catchUp(t)
	return tr
}

func (tr *mysqlTrio) servers() []*mysqlServer {
	return []*mysqlServer{tr.primary, tr.replica1, tr.replica2}
}

// catchUp waits until both replicas executed the primary's gtid_executed.
func (tr *mysqlTrio) catchUp(t *testing.T) string {
	t.Helper()
	set := tr.primary.report(t).GTID.Executed
	for _, r := range []*mysqlServer{tr.replica1, tr.replica2} {
		if err := r.conn.WaitForGTID(testContext(t), set, 15*time.Second); err != nil {
			t.Fatalf("%s did not catch up to %s: %v\n%s", r.name, set, err, r.errorLog())
		}
	}
	return set
}

// reports reads the primary first, so errant checks see no false alarms.
func (tr *mysqlTrio) reports(t *testing.T) []*InstanceReport {
	t.Helper()
	return []*InstanceReport{tr.primary.report(t), tr.replica1.report(t), tr.replica2.report(t)}
}

// newMySQLPodKit renders MySQL 9.7's statement files; its fill is the
// scripts' sql_fill. Its client field stays empty: mysqlClient runs the
// image's client in the chroot.
func newMySQLPodKit(t *testing.T) *podKit {
	t.Helper()
	files, err := PodStatements(MySQL84, "9.7")
	if err != nil {
		t.Fatal(err)
	}
	k := &podKit{dir: t.TempDir()}
	k.install(t, files)
	return k
}

// mysqlAccounts runs the accounts file as root (no RootHosts file on
// MySQL: super_read_only already stops root on a replica).
func (k *podKit) mysqlAccounts(t *testing.T, s *mysqlServer) {
	t.Helper()
	s.mustClient(t, rootLogin, k.fill(t, FileAccounts, "admin_user="+adminLogin.user,
		"admin_password="+adminLogin.password, "replication_user="+replLogin.user,
		"replication_password="+replLogin.password, "probe_user=mysqlctl_probe", "probe_password=probePW"))
}

// mysqlPointAt points r at source by auto-position and starts it, as the
// admin account, as the sidecar does.
func (k *podKit) mysqlPointAt(t *testing.T, r, source *mysqlServer) {
	t.Helper()
	change := k.fill(t, FileChangeSource, "source_host=127.0.0.1", "source_port="+strconv.Itoa(source.port),
		"replication_user="+replLogin.user, "replication_password="+replLogin.password, "source_ca="+mysqlSourceCA)
	r.mustClient(t, adminLogin, change+k.fill(t, FileStartReplica))
}

// client pipes statements to the image's mysql client as run_client does:
// the login in a defaults file as client_cnf writes it (with the CA the
// server's certificate must come from), batch output.
func (s *mysqlServer) client(as login, statements string, args ...string) (string, error) {
	return s.clientWithCnf(clientCnf(as, "ssl-ca="+mysqlSourceCA), statements, args...)
}

// clientCnf quotes the password as client_cnf does.
func clientCnf(as login, options ...string) string {
	return "[client]\nuser=" + as.user + "\npassword=\"" + strings.ReplaceAll(as.password, `\`, `\\`) + "\"\n" +
		strings.Join(options, "\n") + "\n"
}

func (s *mysqlServer) clientWithCnf(cnf, statements string, args ...string) (string, error) {
	f, err := os.CreateTemp(s.dir, "client-*.cnf")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(cnf); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	cmd := chrootCommand(s.root, "/usr/bin/mysql", append([]string{"--defaults-extra-file=" + s.inner + "/" + filepath.Base(f.Name()),
		"--host=127.0.0.1", "--port=" + strconv.Itoa(s.port), "--connect-timeout=5", "--batch"}, args...)...)
	cmd.Stdin = strings.NewReader(statements)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *mysqlServer) mustClient(t *testing.T, as login, statements string, args ...string) string {
	t.Helper()
	out, err := s.client(as, statements, args...)
	if err != nil {
		t.Fatalf("%s as %s: %v\n%s", s.name, as.user, err, out)
	}
	return out
}

// waitReady opens root's Conn as soon as the server accepts it.
func (s *mysqlServer) waitReady(t *testing.T) {
	t.Helper()
	s.conn = waitLocalServer(t, s.name, s.target("root", ""), s.exited, s.errorLog)
}

// target logs in over TLS verified against the test CA, as mysqlctl does.
func (s *mysqlServer) target(user, password string) Target {
	return localTarget(s.name, s.tls, s.port, user, password)
}

// open logs in as a new session, which sees every earlier GRANT.
func (s *mysqlServer) open(t *testing.T, as login) *Conn {
	t.Helper()
	c, err := Open(context.Background(), s.target(as.user, as.password))
	if err != nil {
		t.Fatalf("log in to %s as %s: %v", s.name, as.user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (s *mysqlServer) report(t *testing.T) *InstanceReport {
	t.Helper()
	rep, err := s.conn.Report(testContext(t))
	if err != nil {
		t.Fatalf("report of %s: %v", s.name, err)
	}
	return rep
}

// exec runs test data and faults in root's first session.
func (s *mysqlServer) exec(t *testing.T, sqls ...string) {
	t.Helper()
	execAs(t, s.conn, sqls...)
}

func (s *mysqlServer) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "error.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// writeOnReplica runs sqls on a replica as the admin account, in one
// session of the client: super_read_only refuses even the admin account
// (unlike MariaDB's read_only), so it is lifted around them as an operator
// would, and read_only stays on.
func (s *mysqlServer) writeOnReplica(t *testing.T, sqls ...string) {
	t.Helper()
	s.mustClient(t, adminLogin, "SET GLOBAL super_read_only = OFF;\n"+strings.Join(sqls, ";\n")+
		";\nSET GLOBAL super_read_only = ON;\n")
}
