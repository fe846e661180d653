package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// TestRecloneAfterPurgedBinlogs: a replica brought back on a volume kept by
// scale --keep-pvcs, after the primary purged the binlogs it needs, stops
// with error 1236; check says so and names the fix, and reclone fixes it:
// the replica ends with every row of the primary; on each flavour.
func TestRecloneAfterPurgedBinlogs(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, recloneAfterPurgedBinlogs)
}

func recloneAfterPurgedBinlogs(t *testing.T, c *testCluster, f flavour) {
	ctx, ns := c.scenario(t, f, "reclone", 3, 10*time.Minute)
	pw := c.adminPassword(t, ctx, ns)
	c.mustSucceed(t, 3*time.Minute, "scale", "-n", ns, "--replicas", "2", "--keep-pvcs")
	c.execAs(t, ctx, ns, "mysql-0", pw,
		"CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY)",
		"INSERT INTO shop.orders VALUES (1), (2), (3)")
	c.purgeBinlogs(t, ctx, ns, pw, f)

	// The replica may look ready for a moment (its IO thread connects)
	// before the primary answers 1236: scale's verdict is not the point,
	// check's is.
	c.mysqlctl(t, 2*time.Minute, nil, "scale", "-n", ns, "--replicas", "3", "--timeout", "15s")
	var check cliResult
	err := wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(context.Context) (bool, error) {
		check = c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
		return check.code == 3 && strings.Contains(check.stdout, "1236") && strings.Contains(check.stdout, "mysqlctl reclone mysql-2"), nil
	})
	if err != nil {
		t.Fatalf("check never failed on mysql-2's error 1236 naming the fix; last:\n%s", check)
	}

	refused := c.mysqlctl(t, time.Minute, nil, "reclone", "mysql-0", "-n", ns)
	assertOneLineError(t, refused, 2, "is the primary")

	c.mustSucceed(t, 5*time.Minute, "reclone", "mysql-2", "-n", ns)
	c.mustSucceed(t, time.Minute, "check", "-n", ns, "--checksum")
	if n := c.queryThroughPortForward(t, ctx, ns, "mysql-2", c.secretValue(t, ctx, ns, "mysql-credentials", "root-password"),
		"SELECT COUNT(*) FROM shop.orders"); n != "3" {
		t.Errorf("mysql-2 holds %s rows after reclone, want 3", n)
	}
}

// purgeBinlogs rotates the primary's binary log and purges every older one,
// until only the new one is left (a purge skips a file a replica still
// reads, so it may take a second try).
func (c *testCluster) purgeBinlogs(t *testing.T, ctx context.Context, ns, pw string, f flavour) {
	t.Helper()
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	var first, current string
	err := wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(context.Context) (bool, error) {
		// PURGE ... BEFORE NOW() would keep the file rotated this second.
		c.execAs(t, ctx, ns, "mysql-0", pw, "FLUSH BINARY LOGS")
		current = c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, f.binlogStatus)
		c.execAs(t, ctx, ns, "mysql-0", pw, "PURGE BINARY LOGS TO '"+current+"'")
		first = c.queryThroughPortForward(t, ctx, ns, "mysql-0", root, "SHOW BINARY LOGS")
		return first == current, nil
	})
	if err != nil {
		t.Fatalf("the primary kept old binary logs: first %s, current %s", first, current)
	}
}
