package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
)

// Faults inside a switchover, timed by the cluster's record: a role change
// writes its intent (key "change" of ConfigMap mysql-state) before it
// touches any server, and the steps after it (fence markers through the
// API's exec, the fence, the catch-up) take a few hundred milliseconds. A
// watch on the record sees the intent within milliseconds, so an action
// taken then lands inside the change.

// onIntent runs action once, as soon as the record of ns shows a role
// change in progress. The returned channel closes when action has run; the
// watch ends with ctx.
func (c *testCluster) onIntent(t *testing.T, ctx context.Context, ns string, action func()) <-chan struct{} {
	t.Helper()
	w, err := c.client.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", "mysql-state").String()})
	if err != nil {
		t.Fatalf("watch the record: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			// "change" is the record's key for a role change under way.
			if cm, ok := ev.Object.(*corev1.ConfigMap); ok && ev.Type == watch.Modified && cm.Data["change"] != "" {
				action()
				close(done)
				return
			}
		}
	}()
	return done
}

// switchoverWithRecordTouched: the record changes (an annotation added by
// someone else, as a GitOps tool would) between the switchover's intent and
// its last write, which is conditional on the version it read. The target
// already takes writes by then: the switchover reads the record again,
// finds its intent still there, and finishes, keeping the annotation.
// Never are two servers writable (the scenario's watcher).
func (c *testCluster) switchoverWithRecordTouched(t *testing.T, ctx context.Context, ns string, pods []string) {
	from := c.recordedPrimary(t, ns)
	to := otherThan(pods, from)
	touched := c.onIntent(t, ctx, ns, func() {
		patch := `{"metadata":{"annotations":{"e2e.mysqlctl.io/touched":"yes"}}}`
		if _, err := c.client.CoreV1().ConfigMaps(ns).Patch(ctx, "mysql-state", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Errorf("touch the record: %v", err)
		}
	})
	res := c.mustSucceed(t, 2*time.Minute, "switchover", "-n", ns, "--to", to, "-v")
	<-touched
	if !strings.Contains(res.stdout, "primary: "+to+" (was "+from+")") {
		t.Errorf("switchover whose record was touched:\n%s", res)
	}
	if !strings.Contains(res.stderr, "the record changed since the intent was written") {
		t.Errorf("the touch did not land inside the switchover (its last write did not have to read the record again):\n%s", res)
	}
	cm, err := c.client.CoreV1().ConfigMaps(ns).Get(ctx, "mysql-state", metav1.GetOptions{})
	if err != nil || cm.Data["primary"] != to || cm.Data["change"] != "" || cm.Annotations["e2e.mysqlctl.io/touched"] != "yes" {
		t.Errorf("record after the switchover: %v %v (%v), want %s, no change under way, the annotation kept", cm.Data, cm.Annotations, err, to)
	}
	c.checkPassesWithin(t, ns, time.Minute)
}

// switchoverWithPrimaryRestart: the old primary's server shuts down (a
// crash, an OOM kill; its pod stays) right as the switchover begins. Where
// the command stops depends on the moment, and it says what to run; when
// the server is back it stays read-only until the role change is resolved,
// and running switchover again leaves one writable server and a passing
// check. Never are two servers writable (the scenario's watcher).
func (c *testCluster) switchoverWithPrimaryRestart(t *testing.T, ctx context.Context, ns, root string, pods []string) {
	from := c.recordedPrimary(t, ns)
	to := otherThan(pods, from)
	db, closeDB, err := c.rootDB(ctx, ns, from, root)
	if err != nil {
		t.Fatalf("connect to %s: %v", from, err)
	}
	defer closeDB()
	restarts := c.restartCount(t, ctx, ns, from)
	shut := c.onIntent(t, ctx, ns, func() {
		_, err := db.ExecContext(ctx, "SHUTDOWN")
		t.Logf("SHUTDOWN on %s at the switchover's intent: %v", from, err)
	})
	first := c.mysqlctl(t, 2*time.Minute, nil, "switchover", "-n", ns, "--to", to)
	<-shut
	t.Logf("switchover while %s's server went down: exit %d\n%s", from, first.code, first)
	c.waitRestarted(t, ctx, ns, from, restarts)
	// Finish or undo it, as the command said: with the server back, the
	// same switchover goes through. A command that gave up released its
	// intent, so no one waits for its --timeout.
	var last cliResult
	err = wait.PollUntilContextTimeout(ctx, 2*time.Second, 90*time.Second, true, func(context.Context) (bool, error) {
		if c.recordedPrimary(t, ns) == to {
			return true, nil
		}
		last = c.mysqlctl(t, 2*time.Minute, nil, "switchover", "-n", ns, "--to", to)
		return last.code == 0, nil
	})
	if err != nil {
		t.Fatalf("switchover to %s never went through after %s's restart; last try:\n%s", to, from, last)
	}
	c.checkPassesWithin(t, ns, 2*time.Minute)
	if ro := c.queryThroughPortForward(t, ctx, ns, from, root, "SELECT @@global.read_only"); ro != "1" {
		t.Errorf("%s has read_only %s after the switchover away from it, want 1", from, ro)
	}
}

// otherThan is the first of pods that is not pod.
func otherThan(pods []string, pod string) string {
	for _, p := range pods {
		if p != pod {
			return p
		}
	}
	return ""
}
