package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// TestRotatePasswordsAndCA: on 3 servers with a writer inserting through
// mysql-primary, rotate-passwords stopped after the Secret took the new
// passwords (the kubelet given no time to write the files) leaves every
// server accepting the old and the new ones; run again, it finishes. Then
// the old passwords log in nowhere and the new ones everywhere, every
// replica replicates across a reconnect, the pods stay ready (their probes
// and the sidecars read the new files), mysqlctl sql works, no password is
// in the primary's binary log, and every acknowledged row is on every
// server. Then a new CA rolls out under a writer (caRotationUnderAWriter).
func TestRotatePasswordsAndCA(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, func(t *testing.T, c *testCluster, f flavour) {
		ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
		defer cancel()
		ns := c.namespace(t, "rotate-"+f.name)
		pods := []string{"mysql-0", "mysql-1", "mysql-2"}
		c.mustSucceed(t, 6*time.Minute, append([]string{"up", "-n", ns, "--replicas", "3"}, f.upFlags()...)...)
		old := c.passwords(t, ctx, ns)
		root, admin := manifest.SecretKeyRootPassword, manifest.SecretKeyAdminPassword
		c.execAs(t, ctx, ns, "mysql-0", old[admin], "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)")
		w := c.startServiceWriter(ctx, ns, old[root])
		w.waitAcked(t, ctx, 20, time.Minute)

		cut := c.mysqlctl(t, 3*time.Minute, nil, "rotate-passwords", "-n", ns, "--files-within", "1ms")
		if cut.code != 1 || !strings.Contains(cut.stderr, "run rotate-passwords again") {
			t.Fatalf("rotate-passwords given no time for the files: exit %d, want 1 naming the way on:\n%s", cut.code, cut)
		}
		t.Logf("rotate-passwords, stopped at the files:\n%s", cut)
		mid := c.passwords(t, ctx, ns)
		for _, key := range []string{root, admin} {
			if mid[key] == old[key] {
				t.Fatalf("the Secret's %s did not change before the files were awaited", key)
			}
			if got := c.secretValue(t, ctx, ns, manifest.SecretName("mysql"), "previous-"+key); got != old[key] {
				t.Fatalf("the Secret does not keep the old %s as previous-%s", key, key)
			}
		}
		c.assertLogins(t, ctx, ns, pods, "root", old[root], true)
		c.assertLogins(t, ctx, ns, pods, "root", mid[root], true)

		res := c.mustSucceed(t, 5*time.Minute, "rotate-passwords", "-n", ns)
		t.Logf("rotate-passwords, run again:\n%s", res)
		if !strings.Contains(res.stderr, "an interrupted rotation had given the Secret the new passwords") {
			t.Errorf("the second run did not say it finishes the first one's rotation")
		}
		now := c.passwords(t, ctx, ns)
		for key, pw := range now {
			if pw != mid[key] {
				t.Errorf("the run that finished the rotation changed %s again", key)
			}
		}
		for key := range c.secretData(t, ctx, ns) {
			if strings.HasPrefix(key, "previous-") || strings.HasPrefix(key, "next-") {
				t.Errorf("the Secret still holds %s after the rotation", key)
			}
		}
		c.assertLogins(t, ctx, ns, pods, "root", old[root], false)
		c.assertLogins(t, ctx, ns, pods, manifest.AdminUser, old[admin], false)
		c.assertLogins(t, ctx, ns, pods, "root", now[root], true)
		c.assertLogins(t, ctx, ns, pods, manifest.AdminUser, now[admin], true)

		// The writer's session outlives the change of its password.
		w.waitAcked(t, ctx, w.count()+20, time.Minute)
		acked := w.finish()
		stop, start := "STOP SLAVE", "START SLAVE"
		if f.name == "mysql" {
			stop, start = "STOP REPLICA", "START REPLICA"
		}
		for _, pod := range pods[1:] { // each receiver logs in again, with the new password
			c.execAs(t, ctx, ns, pod, now[admin], stop, start)
		}
		c.assertAckedEverywhere(t, ctx, ns, now[root], acked, pods...)
		c.checkPassesWithin(t, ns, 2*time.Minute)
		if out := c.mustSucceed(t, time.Minute, "sql", "-n", ns, "--", "-N", "-e", "SELECT 'rotated'"); !strings.Contains(out.stdout, "rotated") {
			t.Errorf("mysqlctl sql after the rotation printed %q", out.stdout)
		}
		for _, info := range c.binlogEvents(t, ctx, ns, "mysql-0", now[root]) {
			for key, pw := range old {
				if strings.Contains(info, pw) || strings.Contains(info, now[key]) {
					t.Errorf("a %s is in mysql-0's binary log: %.80s…", key, info)
				}
			}
		}
		t.Logf("FIGURE password rotation on 3 %s servers under a writer: %d inserts acknowledged, %d failed tries, longest gap %s",
			f.name, len(acked), w.failures, w.longestGap.Round(time.Millisecond))

		c.caRotationUnderAWriter(t, ctx, f, ns, pods, now[root], now[admin])
	})
}

// secretData is the credentials Secret's data.
func (c *testCluster) secretData(t *testing.T, ctx context.Context, ns string) map[string][]byte {
	t.Helper()
	s, err := c.client.CoreV1().Secrets(ns).Get(ctx, manifest.SecretName("mysql"), metav1.GetOptions{})
	if err != nil {
		t.Fatalf("read the credentials Secret: %v", err)
	}
	return s.Data
}

// assertLogins checks that user can (or cannot) log in with password on
// each of pods, with a new session.
func (c *testCluster) assertLogins(t *testing.T, ctx context.Context, ns string, pods []string, user, password string, want bool) {
	t.Helper()
	for _, pod := range pods {
		db, closeDB, err := c.openDB(ctx, ns, pod, user, password)
		if err == nil {
			err = db.PingContext(ctx)
			closeDB()
		}
		if (err == nil) != want {
			t.Errorf("%s: log in as %s: %v, want success %v", pod, user, err, want)
		}
	}
}
