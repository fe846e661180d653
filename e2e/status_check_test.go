package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// TestStatusAndCheck drives `mysqlctl status` and `mysqlctl check` against
// a real 3-server cluster through a sequence of faults: stopped
// replication, a delayed replica, an errant write, a deleted pod. Every
// scenario builds on the previous one, so they run in order on one
// cluster; on each flavour.
func TestStatusAndCheck(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, statusAndCheck)
}

func statusAndCheck(t *testing.T, c *testCluster, f flavour) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	ns := c.namespace(t, "status-"+f.name)
	up := c.mustSucceed(t, 10*time.Minute, append([]string{"up", "-n", ns, "--replicas", "3"}, f.upFlags()...)...)
	s := &statusScenario{c: c, f: f, ctx: ctx, ns: ns, printed: up.stdout + up.stderr}
	s.adminPW = c.secretValue(t, ctx, ns, manifest.SecretName("mysql"), manifest.SecretKeyAdminPassword)
	defer s.assertNoPasswordPrinted(t)

	t.Run("healthy cluster: ids, roles, read-only, binlog, threads", s.healthy)
	t.Run("check passes on a healthy cluster", func(t *testing.T) { s.checkPasses(t, time.Minute) })
	t.Run("after writes every replica reaches the primary's GTID", s.writesReplicate)
	t.Run("STOP REPLICA on mysql-2 fails check, START REPLICA heals it", s.stoppedReplication)
	t.Run("a replica's delay with writes is flagged as lag", s.delayedReplica)
	t.Run("a write on mysql-1 is an errant transaction and a checksum mismatch", s.errantWrite)
	t.Run("mysql-2 deleted: the others are still shown within the timeout", s.deletedPod)
	t.Run("a new server does not clone the replica with the errant write", s.noErrantDonor)
}

// statusScenario is the shared state of TestStatusAndCheck's steps.
type statusScenario struct {
	c       *testCluster
	f       flavour
	ctx     context.Context
	ns      string
	adminPW string
	// printed collects everything the binary printed, for the final grep
	// for passwords.
	printed string
}

// run runs mysqlctl against the scenario's namespace and keeps its output.
func (s *statusScenario) run(t *testing.T, args ...string) cliResult {
	t.Helper()
	res := s.c.mysqlctl(t, 2*time.Minute, nil, append(args, "-n", s.ns)...)
	s.printed += res.stdout + res.stderr
	return res
}

// status runs `status -o json` and decodes the documented schema.
func (s *statusScenario) status(t *testing.T, args ...string) (*cluster.StatusReport, cliResult) {
	t.Helper()
	res := s.run(t, append([]string{"status", "-o", "json"}, args...)...)
	if res.code != 0 {
		t.Fatalf("status failed:\n%s", res)
	}
	var r cluster.StatusReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("status -o json is not the documented JSON: %v\n%s", err, res)
	}
	return &r, res
}

// check runs `check -o json` and decodes it.
func (s *statusScenario) check(t *testing.T, args ...string) (*cluster.CheckReport, cliResult) {
	t.Helper()
	res := s.run(t, append([]string{"check", "-o", "json"}, args...)...)
	var r cluster.CheckReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("check -o json (exit %d) is not the documented JSON: %v\n%s", res.code, err, res)
	}
	return &r, res
}

// eventually retries probe every 2 s until it returns "" or timeout passes;
// then the test fails with probe's last complaint.
func (s *statusScenario) eventually(t *testing.T, timeout time.Duration, probe func() string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(s.ctx, 2*time.Second, timeout, true, func(context.Context) (bool, error) {
		last = probe()
		return last == "", nil
	})
	if err != nil {
		t.Fatalf("not within %s: %s", timeout, last)
	}
}

// sqlOn runs statements on pod as mysqlctl's admin account.
func (s *statusScenario) sqlOn(t *testing.T, pod string, statements ...string) {
	t.Helper()
	s.c.execAs(t, s.ctx, s.ns, pod, s.adminPW, statements...)
}

func (s *statusScenario) healthy(t *testing.T) {
	r, _ := s.status(t)
	if len(r.Members) != 3 || r.Cluster.Primary != "mysql-0" || r.Cluster.Replicating != 2 || r.Cluster.ReadyPods != 3 {
		t.Fatalf("summary: %+v", r.Cluster)
	}
	for i, m := range r.Members {
		wantRole, wantRO := cluster.RoleReplica, true
		if i == 0 {
			wantRole, wantRO = cluster.RolePrimary, false
		}
		switch {
		case m.Pod != manifest.PodName("mysql", i) || m.Error != "":
			t.Errorf("member %d: %s, error %q", i, m.Pod, m.Error)
		case m.ServerID == nil || *m.ServerID != uint32(100+i):
			t.Errorf("%s: server id %v, want %d", m.Pod, m.ServerID, 100+i)
		case m.Role != wantRole || m.ReadOnly == nil || *m.ReadOnly != wantRO:
			t.Errorf("%s: role %s read_only %v, want %s %v", m.Pod, m.Role, m.ReadOnly, wantRole, wantRO)
		case m.BinlogFile == "" || m.BinlogPosition == nil || *m.BinlogPosition == 0:
			t.Errorf("%s: binlog %q:%v", m.Pod, m.BinlogFile, m.BinlogPosition)
		case i > 0 && (m.Replication == nil || !m.Replication.IORunning || !m.Replication.SQLRunning || m.Replication.SourcePod != "mysql-0"):
			t.Errorf("%s: replication %+v", m.Pod, m.Replication)
		}
	}
	table := s.run(t, "status")
	t.Logf("status:\n%s", table.stdout)
	for _, want := range []string{"POD ", "SERVER-ID", "primary mysql-0", "mysql-0   primary", "mysql-2   replica", "Yes/Yes"} {
		if !strings.Contains(table.stdout, want) {
			t.Errorf("status table lacks %q:\n%s", want, table)
		}
	}
	wide := s.run(t, "status", "-o", "wide", "-v")
	if wide.code != 0 || !strings.Contains(wide.stdout, "GTID-EXECUTED") || !strings.Contains(wide.stdout, s.f.gtidMark) {
		t.Errorf("status -o wide:\n%s", wide)
	}
}

func (s *statusScenario) checkPasses(t *testing.T, within time.Duration) {
	t.Helper()
	s.eventually(t, within, func() string {
		r, res := s.check(t)
		if res.code != 0 || r.Verdict == cluster.Fail {
			return fmt.Sprintf("check exit %d:\n%s", res.code, res)
		}
		return ""
	})
	table := s.run(t, "check")
	if table.code != 0 || !strings.Contains(table.stdout, "single-primary") {
		t.Errorf("check table:\n%s", table)
	}
	// up issued a certificate for a year, under a CA of ten: both ends
	// are read from the TLS Secret and named.
	year := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	r, _ := s.check(t)
	if c := findCheck(r, cluster.CheckCertificatesValid); c.Verdict != cluster.Pass ||
		!strings.Contains(c.Detail, "servers' certificate ends on "+year) || !strings.Contains(c.Detail, "cluster's CA ends on") {
		t.Errorf("certificates-valid %s %q, want PASS naming the certificate's end %s and the CA's", c.Verdict, c.Detail, year)
	}
	t.Logf("check:\n%s", table.stdout)
}

func (s *statusScenario) writesReplicate(t *testing.T) {
	before, _ := s.status(t)
	stmts := []string{"CREATE DATABASE IF NOT EXISTS test", "CREATE TABLE test.t (id INT PRIMARY KEY, v VARCHAR(64))"}
	for i := 1; i <= 50; i++ {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO test.t VALUES (%d, 'row %d')", i, i))
	}
	s.sqlOn(t, "mysql-0", stmts...)
	s.eventually(t, time.Minute, func() string {
		r, _ := s.status(t)
		primary := r.Member("mysql-0")
		if *primary.BinlogPosition <= *before.Member("mysql-0").BinlogPosition {
			return fmt.Sprintf("the primary's binlog position did not move: %d", *primary.BinlogPosition)
		}
		for _, pod := range []string{"mysql-1", "mysql-2"} {
			if got := r.Member(pod).GTIDExecuted; got != primary.GTIDExecuted {
				return fmt.Sprintf("%s is at %q, the primary at %q", pod, got, primary.GTIDExecuted)
			}
		}
		return ""
	})
}

func (s *statusScenario) stoppedReplication(t *testing.T) {
	s.sqlOn(t, "mysql-2", "STOP REPLICA") // both flavours' word
	_, res := s.check(t)
	if res.code != 3 {
		t.Errorf("check after STOP REPLICA: exit %d, want 3\n%s", res.code, res)
	}
	table := s.run(t, "check")
	t.Logf("check after STOP REPLICA on mysql-2:\n%s", table.stdout)
	if table.code != 3 || !strings.Contains(table.stdout, "mysql-2: IO thread not running (No), SQL thread not running (No)") {
		t.Errorf("check should name mysql-2 and its stopped threads:\n%s", table)
	}
	status := s.run(t, "status")
	if !strings.Contains(status.stdout, "No/No") || !strings.Contains(status.stdout, "<unknown>") {
		t.Errorf("status should show the stopped threads and an unknown lag:\n%s", status)
	}
	s.sqlOn(t, "mysql-2", "START REPLICA")
	s.checkPasses(t, 2*time.Minute) // the readiness probe must see it too
}

func (s *statusScenario) delayedReplica(t *testing.T) {
	s.sqlOn(t, "mysql-2", "STOP REPLICA", fmt.Sprintf(s.f.delay, 120), "START REPLICA")
	id := 1000
	s.eventually(t, 90*time.Second, func() string {
		id++ // a write each round: the delayed replica's lag grows from the oldest one
		s.sqlOn(t, "mysql-0", fmt.Sprintf("INSERT INTO test.t VALUES (%d, 'delayed')", id))
		r, res := s.check(t, "--max-lag", "3s")
		for _, c := range r.Checks {
			if c.Name == cluster.CheckReplicationLag && c.Verdict == cluster.Fail && strings.Contains(c.Detail, "mysql-2 is") && res.code == 3 {
				t.Logf("check --max-lag 3s: %s %s: %s", c.Name, c.Verdict, c.Detail)
				return ""
			}
		}
		return "lag of mysql-2 not flagged yet:\n" + res.String()
	})
	s.sqlOn(t, "mysql-2", "STOP REPLICA", fmt.Sprintf(s.f.delay, 0), "START REPLICA")
	s.checkPasses(t, 3*time.Minute)
}

func (s *statusScenario) errantWrite(t *testing.T) {
	s.sqlOn(t, "mysql-1", "SET GLOBAL read_only = 0", "INSERT INTO test.t VALUES (900000, 'errant')", s.f.readOnly)
	r, res := s.check(t)
	if res.code != 3 {
		t.Errorf("check after an errant write: exit %d, want 3\n%s", res.code, res)
	}
	if c := findCheck(r, cluster.CheckNoErrantTransactions); c.Verdict != cluster.Fail || !strings.Contains(c.Detail, "mysql-1 has errant transactions") {
		t.Errorf("errant transactions not reported on mysql-1: %+v", c)
	}
	t.Logf("check: %+v", findCheck(r, cluster.CheckNoErrantTransactions))
	r, res = s.check(t, "--checksum")
	t.Logf("check --checksum: %+v", findCheck(r, cluster.CheckChecksumsMatch))
	if c := findCheck(r, cluster.CheckChecksumsMatch); c.Verdict != cluster.Fail || !strings.Contains(c.Detail, "test.t differs on mysql-1") {
		t.Errorf("checksum mismatch not reported on mysql-1: %+v\n%s", c, res)
	}
}

// noErrantDonor: mysql-1 still holds its errant write; mysql-3, new, clones
// from another peer, says why not mysql-1, and holds no errant write.
func (s *statusScenario) noErrantDonor(t *testing.T) {
	if res := s.run(t, "scale", "--replicas", "4"); res.code != 0 {
		t.Fatalf("scale to 4:\n%s", res)
	}
	logs := s.c.containerLogs(t, s.ctx, s.ns, "mysql-3", manifest.ContainerClone)
	if !strings.Contains(logs, "holds transactions the primary mysql-0 lacks") || !strings.Contains(logs, "not a donor") {
		t.Errorf("mysql-3's clone log does not skip the errant replica:\n%s", logs)
	}
	r, _ := s.check(t)
	if c := findCheck(r, cluster.CheckNoErrantTransactions); !strings.Contains(c.Detail, "mysql-1") || strings.Contains(c.Detail, "mysql-3") {
		t.Errorf("after the clone: %+v, want mysql-1's errant write alone", c)
	}
}

func findCheck(r *cluster.CheckReport, name string) cluster.CheckResult {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return cluster.CheckResult{Name: name, Verdict: "missing"}
}

func (s *statusScenario) deletedPod(t *testing.T) {
	err := s.c.client.CoreV1().Pods(s.ns).Delete(s.ctx, "mysql-2", metav1.DeleteOptions{})
	if err != nil {
		t.Fatalf("delete pod mysql-2: %v", err)
	}
	// Right after the delete the old pod may still answer while it shuts
	// down: look until mysql-2 is reported with an error.
	s.eventually(t, 90*time.Second, func() string {
		res := s.run(t, "status", "--pod-timeout", "5s")
		if res.took > 15*time.Second {
			t.Errorf("status took %s with --pod-timeout 5s", res.took)
		}
		switch {
		case res.code != 0:
			return "status failed:\n" + res.String()
		case !strings.Contains(res.stdout, "mysql-0   primary") || !strings.Contains(res.stdout, "mysql-1   replica"):
			return "mysql-0 and mysql-1 are not both shown:\n" + res.String()
		case !strings.Contains(res.stdout, "Errors:\n") || !strings.Contains(res.stdout, "  mysql-2: "):
			return "mysql-2's error is not listed yet:\n" + res.String()
		}
		t.Logf("status %s after deleting mysql-2:\n%s", res.took.Round(time.Millisecond), res.stdout)
		return ""
	})
}

// assertNoPasswordPrinted greps everything the binary printed for every
// password of the cluster's Secret.
func (s *statusScenario) assertNoPasswordPrinted(t *testing.T) {
	for _, key := range manifest.SecretKeys() {
		pw := s.c.secretValue(t, context.Background(), s.ns, manifest.SecretName("mysql"), key)
		if strings.Contains(s.printed, pw) {
			t.Errorf("the %s appears in mysqlctl's output", key)
		}
	}
}
