package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRecloneAfterPurgedBinlogs: a replica brought back on a volume kept by
// scale --keep-pvcs, after the primary purged the binlogs it needs, stops
// with error 1236; check says so and names the fix, and reclone fixes it:
// the replica ends with every row of the primary.
func TestRecloneAfterPurgedBinlogs(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ns := c.namespace(t, "reclone")
	c.mustSucceed(t, 5*time.Minute, "up", "-n", ns, "--replicas", "3", "--flavor", "mariadb", "--image", c.mariadbImage)
	pw := c.adminPassword(t, ctx, ns)
	c.mustSucceed(t, 3*time.Minute, "scale", "-n", ns, "--replicas", "2", "--keep-pvcs")
	c.execAs(t, ctx, ns, "mysql-0", pw,
		"CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY)",
		"INSERT INTO shop.orders VALUES (1), (2), (3)",
		"FLUSH BINARY LOGS", "PURGE BINARY LOGS BEFORE NOW()")

	res := c.mysqlctl(t, 2*time.Minute, nil, "scale", "-n", ns, "--replicas", "3", "--timeout", "45s")
	if res.code == 0 {
		t.Fatalf("mysql-2 came back on data the primary can no longer serve, yet scale succeeded:\n%s", res)
	}
	check := c.mysqlctl(t, time.Minute, nil, "check", "-n", ns)
	if check.code != 3 || !strings.Contains(check.stdout, "1236") || !strings.Contains(check.stdout, "mysqlctl reclone mysql-2") {
		t.Errorf("check should fail on mysql-2's error 1236 and name the fix:\n%s", check)
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
