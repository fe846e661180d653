package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestLostPrimaryVolumeIsNotAnEmptyPrimary: the primary's volume and pod
// are deleted. The new mysql-0 must not start as an empty, writable
// primary: its clone container refuses, and the replicas keep every row.
// mysql-1 received the last row into its relay log without applying it
// (its applier waits behind a table lock): check names it as holding the
// most, promote refuses mysql-2, which stopped replicating before that
// row, refuses mysql-1 while it cannot apply the row within --catch-up,
// and then, naming no replica, picks mysql-1 and waits for it to apply
// the row before it takes writes. No row is
// lost, and the old primary clones from the new one; on each flavour.
// The cluster runs semi-synchronous replication: the primary waits for a
// replica's acknowledgement (row 4 is acknowledged by mysql-1's receiver
// alone), the role's source side moves to the promoted server, and the
// old primary comes back as a replica that does not wait for anyone.
func TestLostPrimaryVolumeIsNotAnEmptyPrimary(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, lostPrimaryVolume)
}

func lostPrimaryVolume(t *testing.T, c *testCluster, f flavour) {
	ctx, ns := c.scenario(t, f, "lostprimary", 3, 8*time.Minute, "--semi-sync", "on")
	c.waitSemiSync(t, ns, "mysql-0", 2)
	admin := c.adminPassword(t, ctx, ns)
	c.execAs(t, ctx, ns, "mysql-0", admin,
		"CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY)", "INSERT INTO shop.orders VALUES (1), (2), (3)")
	c.mustSucceed(t, time.Minute, "check", "-n", ns, "--checksum") // the replicas have the rows
	c.execAs(t, ctx, ns, "mysql-2", admin, "STOP REPLICA")         // both flavours' word
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	unlock := c.holdReadLock(t, ctx, ns, "mysql-1", root, "shop.orders")
	defer unlock()
	c.execAs(t, ctx, ns, "mysql-0", admin, "INSERT INTO shop.orders VALUES (4)")
	c.waitReceivedNotApplied(t, ns, "mysql-1")

	t.Logf("the new mysql-0 refused to start: %s", c.losePrimaryVolume(t, ctx, ns, "mysql-0"))

	check := c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
	if check.code != 3 || !strings.Contains(check.stdout, "mysql-1 holds the most transactions") {
		t.Errorf("check should fail and name mysql-1, which received the last row, as holding the data:\n%s", check)
	}
	behind := c.mysqlctl(t, time.Minute, nil, "promote", "mysql-2", "-n", ns)
	if behind.code == 0 || !strings.Contains(behind.stderr, "mysql-1 received transactions mysql-2 has not") {
		t.Errorf("promoting the replica that is behind was not refused:\n%s", behind)
	}
	blocked := c.mysqlctl(t, time.Minute, nil, "promote", "mysql-1", "--catch-up", "5s", "-n", ns)
	if blocked.code == 0 || !strings.Contains(blocked.stderr, "mysql-1 has not applied what it received") ||
		!strings.Contains(blocked.stderr, "nothing changed") {
		t.Errorf("promoting a replica that cannot apply what it received was not refused:\n%s", blocked)
	}
	if p := c.recordedPrimary(t, ns); p != "mysql-0" {
		t.Errorf("after the refused promote the record names %q, want mysql-0", p)
	}

	// promote, naming no replica, picks mysql-1 (its relay log counts: it
	// applied no more than mysql-2), waits for its applier, and once the
	// lock goes mysql-1 applies row 4 and only then takes writes.
	var out bytes.Buffer
	cmd, lines, seen := startUntil(t, c, binary(t), &out, []string{"promote", "-n", ns},
		func(line string) bool { return strings.Contains(line, "waiting for mysql-1 to apply what it received") })
	unlock()
	for lines.Scan() {
		seen = append(seen, lines.Text())
	}
	if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), "primary: mysql-1 (was mysql-0); writes go to mysql-primary") {
		t.Fatalf("promote mysql-1 once its applier could go on: %v\n%s\n%s", err, out.String(), strings.Join(seen, "\n"))
	}
	c.runClientPod(t, ctx, ns, `for i in $(seq 60); do `+f.client+` -h mysql-primary -uroot -p"$PW" --connect-timeout=2 -e "INSERT INTO shop.orders VALUES (5)" && exit 0; sleep 1; done; exit 1`, root)
	c.waitPodsReady(t, ctx, ns, manifest.PodSelector("mysql"), 3)
	c.waitSemiSync(t, ns, "mysql-1", 2) // the old primary, cloned, acknowledges too
	if s := c.statusOf(t, ns).Member("mysql-0").SemiSync; s == nil || s.SourceEnabled || !s.ReplicaActive {
		t.Errorf("the old primary, back as a replica: semi-sync %+v, want its source side off and its receiver acknowledging", s)
	}
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
	for _, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		got := c.queryThroughPortForward(t, ctx, ns, pod, root, "SELECT GROUP_CONCAT(id ORDER BY id) FROM shop.orders")
		if got != "1,2,3,4,5" {
			t.Errorf("%s holds rows %s, want 1,2,3,4,5 (row 4 was only in mysql-1's relay log)", pod, got)
		}
	}
}

// waitSemiSync waits until status shows primary waiting for
// acknowledgements from n semi-synchronous replicas.
func (c *testCluster) waitSemiSync(t *testing.T, ns, primary string, n int) {
	t.Helper()
	var seen string
	err := wait.PollUntilContextTimeout(context.Background(), time.Second, time.Minute, true, func(context.Context) (bool, error) {
		s := c.statusOf(t, ns).Member(primary).SemiSync
		seen = fmt.Sprintf("%+v", s)
		return s != nil && s.SourceEnabled && s.SourceActive && s.Clients == n, nil
	})
	if err != nil {
		t.Fatalf("%s never waited for %d semi-synchronous replicas: %s", primary, n, seen)
	}
}

// holdReadLock holds LOCK TABLES table READ in one session on pod, so its
// applier waits on the table, until the returned func (safe to call twice)
// ends the session.
func (c *testCluster) holdReadLock(t *testing.T, ctx context.Context, ns, pod, password, table string) func() {
	t.Helper()
	lctx, cancel := context.WithCancel(ctx)
	db := c.openThroughPortForward(t, lctx, ns, pod, password)
	conn, err := db.Conn(lctx)
	if err == nil {
		_, err = conn.ExecContext(lctx, "LOCK TABLES "+table+" READ")
	}
	if err != nil {
		cancel()
		t.Fatalf("lock %s on %s: %v", table, pod, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = conn.Close()
			_ = db.Close()
			cancel()
		})
	}
}

// waitReceivedNotApplied waits until status shows pod's receiver holding a
// transaction its applier has not applied.
func (c *testCluster) waitReceivedNotApplied(t *testing.T, ns, pod string) {
	t.Helper()
	var seen string
	err := wait.PollUntilContextTimeout(context.Background(), time.Second, time.Minute, true, func(context.Context) (bool, error) {
		r := c.statusOf(t, ns)
		m := r.Member(pod)
		if m == nil || m.Replication == nil {
			seen = "no replication"
			return false, nil
		}
		f := sql.Flavour(r.Cluster.Flavour)
		seen = fmt.Sprintf("executed %s, received %s", m.GTIDExecuted, m.Replication.GTIDReceived)
		all, err1 := sql.SeenGTID(f, m.GTIDExecuted, m.Replication.GTIDReceived)
		n, err2 := sql.TransactionCount(f, all)
		applied, err3 := sql.TransactionCount(f, m.GTIDExecuted)
		return err1 == nil && err2 == nil && err3 == nil && n > applied, nil
	})
	if err != nil {
		t.Fatalf("%s never held a received transaction unapplied: %s", pod, seen)
	}
}

// losePrimaryVolume deletes pod's volume, then pod, and returns the
// message with which its new pod's clone container refused to start it
// empty (waitCloneRefused).
func (c *testCluster) losePrimaryVolume(t *testing.T, ctx context.Context, ns, pod string) string {
	t.Helper()
	oldUID := c.podUID(t, ctx, ns, pod)
	if err := c.client.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data-"+pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.client.CoreV1().Pods(ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	return c.waitCloneRefused(t, ctx, ns, pod, oldUID)
}

// waitCloneRefused waits until a new pod of that name (not oldUID) has had
// its clone container fail at least once with the server container never
// started, and returns its message.
func (c *testCluster) waitCloneRefused(t *testing.T, ctx context.Context, ns, name, oldUID string) string {
	t.Helper()
	var seen, msg string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		pod, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || string(pod.UID) == oldUID {
			seen = "the old pod, or none yet"
			return false, nil
		}
		for _, s := range pod.Status.ContainerStatuses {
			if s.State.Running != nil || s.RestartCount > 0 {
				t.Fatalf("the server container of %s started on an empty volume: %s", name, stateText(s.State))
			}
		}
		for _, s := range pod.Status.InitContainerStatuses {
			if s.Name != "clone" {
				continue
			}
			seen = stateText(s.State)
			if term := failedTermination(s); term != nil {
				tail := int64(5)
				logs, _ := c.client.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{Container: "clone", TailLines: &tail, Previous: s.State.Terminated == nil}).DoRaw(ctx)
				msg = strings.TrimSpace(string(logs))
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("the clone container of %s never refused: last seen %s", name, seen)
	}
	return msg
}

func failedTermination(s corev1.ContainerStatus) *corev1.ContainerStateTerminated {
	if t := s.State.Terminated; t != nil && t.ExitCode != 0 {
		return t
	}
	if t := s.LastTerminationState.Terminated; t != nil && t.ExitCode != 0 {
		return t
	}
	return nil
}
