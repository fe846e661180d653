package e2e

import (
	"context"
	dbsql "database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/mysqlctl/mysqlctl/kube"
)

// TestAcknowledgedWritesSurviveAPrimaryRestart: a writer inserts numbered
// rows on the primary, reconnecting on every error, while the primary's pod
// is deleted. Every insert the server acknowledged is afterwards on the
// primary and on every replica, row by row, and check --checksum passes.
// Throughout, mysql-read keeps both replicas ready (their data is seconds
// old); then a replica delayed by MASTER_DELAY leaves mysql-read, and
// returns once it catches up.
func TestAcknowledgedWritesSurviveAPrimaryRestart(t *testing.T) {
	runBesideOthers(t)
	c, ctx, ns := mariadbScenario(t, "durable", 3, 10*time.Minute)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.execAs(t, ctx, ns, "mysql-0", c.adminPassword(t, ctx, ns),
		"CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY)")

	w := &numberedWriter{c: c, ns: ns, password: root}
	c.waitReadEndpoints(t, ctx, ns, "mysql-1", "mysql-2")
	reads := c.watchReadEndpoints(ctx, ns, "mysql-1", "mysql-2")
	acked := w.run(t, ctx, 300, func(n int) {
		if n == 50 { // the primary goes away in the middle of the writes
			if err := c.client.CoreV1().Pods(ns).Delete(ctx, "mysql-0", metav1.DeleteOptions{}); err != nil {
				t.Errorf("delete mysql-0: %v", err)
			}
		}
	})
	t.Logf("FIGURE %d inserts acknowledged, %d failed while the primary restarted", len(acked), w.failures)
	if len(acked) < 100 {
		t.Fatalf("only %d inserts acknowledged: the writer never got the primary back", len(acked))
	}
	c.waitPodsReady(t, ctx, ns, "app.kubernetes.io/instance=mysql", 3)
	if gaps := reads.stop(); len(gaps) > 0 {
		t.Errorf("mysql-read lost a replica while the primary restarted: %v", gaps)
	} else {
		t.Logf("mysql-read served mysql-1 and mysql-2 throughout the primary's restart (%d looks)", reads.looks)
	}
	c.mustSucceed(t, 2*time.Minute, "check", "-n", ns, "--checksum")
	for _, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		got := c.queryThroughPortForward(t, ctx, ns, pod, root, "SELECT IFNULL(GROUP_CONCAT(id ORDER BY id), '') FROM shop.orders")
		have := map[int]bool{}
		for _, s := range strings.Split(got, ",") {
			if n, err := strconv.Atoi(s); err == nil {
				have[n] = true
			}
		}
		var missing []int
		for _, id := range acked {
			if !have[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s lacks %d acknowledged rows: %v", pod, len(missing), missing)
		}
	}

	// A replica an hour behind by design leaves mysql-read while writes
	// come in (maxReadLag 30s by default), and returns when caught up.
	admin := c.adminPassword(t, ctx, ns)
	c.execAs(t, ctx, ns, "mysql-2", admin, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 3600", "START SLAVE")
	id := 100000
	write := func() {
		id++
		c.execAs(t, ctx, ns, "mysql-0", admin, fmt.Sprintf("INSERT INTO shop.orders VALUES (%d)", id))
	}
	c.waitReadEndpoint(t, ctx, ns, "mysql-2", false, write)
	c.execAs(t, ctx, ns, "mysql-2", admin, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 0", "START SLAVE")
	c.waitReadEndpoint(t, ctx, ns, "mysql-2", true, func() {})
}

// numberedWriter inserts ids 1..n into shop.orders on the primary through
// a port-forward, one statement per id, and keeps the ids the server
// acknowledged. On an error it reconnects and retries the same id until it
// is acknowledged or the primary answers that it already has it.
type numberedWriter struct {
	c        *testCluster
	ns       string
	password string
	db       *dbsql.DB
	closeFwd func()
	failures int
}

func (w *numberedWriter) run(t *testing.T, ctx context.Context, n int, before func(int)) []int {
	t.Helper()
	defer w.disconnect()
	var acked []int
	for id := 1; id <= n; id++ {
		before(id)
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
			if err := w.connect(ctx); err != nil {
				w.failures++
				return false, nil
			}
			_, err := w.db.ExecContext(ctx, "INSERT INTO shop.orders VALUES (?)", id)
			var myErr *mysql.MySQLError
			switch {
			case err == nil:
				acked = append(acked, id)
				return true, nil
			case errors.As(err, &myErr) && myErr.Number == 1062:
				return true, nil // committed before the connection broke: not acknowledged to us
			default:
				w.failures++
				w.disconnect()
				return false, nil
			}
		})
		if err != nil {
			t.Fatalf("insert %d never succeeded within 3m (%d failures)", id, w.failures)
		}
	}
	sort.Ints(acked)
	return acked
}

func (w *numberedWriter) connect(ctx context.Context) error {
	if w.db != nil {
		return nil
	}
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: w.c.kubeconfig, Namespace: w.ns})
	if err != nil {
		return err
	}
	fctx, cancel := context.WithCancel(ctx)
	forward, err := client.ForwardPort(fctx, "mysql-0", 3306)
	if err != nil {
		cancel()
		return err
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "root", w.password, "tcp", forward.Addr()
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 5*time.Second, 5*time.Second, 5*time.Second
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		forward.Close()
		cancel()
		return err
	}
	w.db = dbsql.OpenDB(connector)
	w.db.SetMaxOpenConns(1)
	w.closeFwd = func() { forward.Close(); cancel() }
	if err := w.db.PingContext(ctx); err != nil {
		w.disconnect()
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

func (w *numberedWriter) disconnect() {
	if w.closeFwd != nil {
		w.closeFwd()
	}
	if w.db != nil {
		w.db.Close()
	}
	w.db, w.closeFwd = nil, nil
}
