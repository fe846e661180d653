package e2e

import (
	"context"
	dbsql "database/sql"
	"net"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mysqlctl/mysqlctl/kube"
)

// queryThroughPortForward reaches pod:3306 the way status does (the
// product's kube.PodPort, no kubectl) and runs query through
// go-sql-driver/mysql, returning the first column of the first row.
func (c *testCluster) queryThroughPortForward(t *testing.T, ctx context.Context, ns, pod, password, query string) string {
	t.Helper()
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db := c.openThroughPortForward(t, fctx, ns, pod, password)
	defer db.Close()
	got, err := firstColumn(fctx, db, query)
	if err != nil {
		t.Fatalf("%s on %s: %v", query, pod, err)
	}
	return got
}

// openThroughPortForward opens a pool to pod:3306 as root through the API
// server; the tunnel lives as long as ctx.
func (c *testCluster) openThroughPortForward(t *testing.T, ctx context.Context, ns, pod, password string) *dbsql.DB {
	t.Helper()
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatalf("kube client: %v", err)
	}
	port, err := client.OpenPodPort(ctx, pod, 3306)
	if err != nil {
		t.Fatalf("port-forward to %s/%s: %v", ns, pod, err)
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "root", password, "tcp", port.Addr()
	cfg.DialFunc = func(ctx context.Context, _, addr string) (net.Conn, error) { return port.DialContext(ctx, addr) }
	cfg.Timeout = 10 * time.Second
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dbsql.OpenDB(connector)
}

// firstColumn is the first column of the first row of query, whatever the
// number of columns (SHOW statements have several); "" for no row.
func firstColumn(ctx context.Context, db *dbsql.DB, query string) (string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	if !rows.Next() {
		return "", rows.Err()
	}
	values := make([]dbsql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range values {
		dest[i] = &values[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return "", err
	}
	return values[0].String, rows.Err()
}
