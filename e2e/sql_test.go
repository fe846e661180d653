package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// execAs runs statements on pod as mysqlctl's admin account (password pw),
// through a client-go port-forward, with the product's sql package.
func (c *testCluster) execAs(t *testing.T, ctx context.Context, ns, pod, pw string, statements ...string) {
	t.Helper()
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatalf("kube client: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	forward, err := client.ForwardPort(ctx, pod, manifest.PortMySQL)
	if err != nil {
		t.Fatalf("port-forward to %s: %v", pod, err)
	}
	conn, err := sql.Open(ctx, sql.Target{Name: pod, Addr: forward.Addr(), User: manifest.AdminUser, Password: pw, Dial: forward.DialContext})
	if err != nil {
		forward.Close()
		t.Fatalf("connect to %s: %v", pod, err)
	}
	// Tunnel first: closing the connection first makes client-go log the
	// goodbye packet it was still copying (see cluster's probe.close).
	defer func() { forward.Close(); conn.Close() }()
	for _, stmt := range statements {
		if err := conn.Exec(ctx, sql.Statement{SQL: stmt}); err != nil {
			t.Fatalf("%s on %s: %v", stmt, pod, err)
		}
	}
}

// adminPassword reads mysqlctl's admin password from the cluster's Secret.
func (c *testCluster) adminPassword(t *testing.T, ctx context.Context, ns string) string {
	t.Helper()
	return c.secretValue(t, ctx, ns, manifest.SecretName("mysql"), manifest.SecretKeyAdminPassword)
}

// mariadbScenario is the opening of a day-2 scenario that runs on MariaDB
// only: the cluster and the binary under test, a context bounded by
// timeout, a namespace of its own, and a cluster of replicas servers ready
// in it.
func mariadbScenario(t *testing.T, prefix string, replicas int, timeout time.Duration) (*testCluster, context.Context, string) {
	t.Helper()
	c := requireCluster(t)
	binary(t)
	ctx, ns := c.scenario(t, mariadbFlavour(c), prefix, replicas, timeout)
	return c, ctx, ns
}

// scenario is the opening of a scenario on flavour f (forEachFlavour): a
// context bounded by timeout, a namespace of its own, and a cluster of
// replicas servers ready in it.
func (c *testCluster) scenario(t *testing.T, f flavour, prefix string, replicas int, timeout time.Duration, extra ...string) (context.Context, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	ns := c.namespace(t, prefix+"-"+f.name)
	args := append([]string{"up", "-n", ns, "--replicas", strconv.Itoa(replicas)}, f.upFlags()...)
	c.mustSucceed(t, 5*time.Minute, append(args, extra...)...)
	return ctx, ns
}
