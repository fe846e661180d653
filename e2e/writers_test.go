package e2e

import (
	"context"
	"crypto/tls"
	dbsql "database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// rootDB opens a connection pool of one to pod's server as root through
// the product's port-forward; close ends both.
func (c *testCluster) rootDB(ctx context.Context, ns, pod, password string) (db *dbsql.DB, close func(), err error) {
	return c.openDB(ctx, ns, pod, "root", password)
}

// openDB is rootDB for any account.
func (c *testCluster) openDB(ctx context.Context, ns, pod, user, password string) (db *dbsql.DB, close func(), err error) {
	return c.openDBTLS(ctx, ns, pod, user, password, nil)
}

// openDBTLS is openDB over TLS with config (nil: none, which the servers
// accept unless tls is required).
func (c *testCluster) openDBTLS(ctx context.Context, ns, pod, user, password string, config *tls.Config) (db *dbsql.DB, close func(), err error) {
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		return nil, nil, err
	}
	port, err := client.OpenPodPort(ctx, pod, 3306)
	if err != nil {
		return nil, nil, err
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.TLS = user, password, "tcp", port.Addr(), config
	cfg.DialFunc = func(ctx context.Context, _, addr string) (net.Conn, error) { return port.DialContext(ctx, addr) }
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 3*time.Second, 3*time.Second, 3*time.Second
	// Connections broken by the faults these tests make are expected: the
	// driver's log of each would bury the test's own.
	cfg.Logger = mysql.Logger(log.New(io.Discard, "", 0))
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		port.Close()
		return nil, nil, err
	}
	db = dbsql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	return db, func() { db.Close(); port.Close() }, nil
}

// writableSample is one look at one server: was it writable (read_only 0).
type writableSample struct {
	pod      string
	at       time.Time
	writable bool
}

// writableWatch samples every server's read_only several times a second,
// reconnecting whenever a server goes away, until stopped. It logs in as
// mysqlctl's admin account, whose sessions a fence leaves open, so its
// looks go on through a switchover.
type writableWatch struct {
	mu      sync.Mutex
	samples []writableSample
	stop    context.CancelFunc
	done    sync.WaitGroup
}

func (c *testCluster) watchWritable(ctx context.Context, ns, adminPassword string, pods ...string) *writableWatch {
	ctx, cancel := context.WithCancel(ctx)
	w := &writableWatch{stop: cancel}
	for _, pod := range pods {
		w.done.Add(1)
		go func() {
			defer w.done.Done()
			for ctx.Err() == nil {
				db, closeDB, err := c.openDB(ctx, ns, pod, manifest.AdminUser, adminPassword)
				if err != nil {
					sleepCtx(ctx, 200*time.Millisecond)
					continue
				}
				for ctx.Err() == nil {
					var ro int
					if err := db.QueryRowContext(ctx, "SELECT @@global.read_only").Scan(&ro); err != nil {
						break
					}
					w.mu.Lock()
					w.samples = append(w.samples, writableSample{pod: pod, at: time.Now(), writable: ro == 0})
					w.mu.Unlock()
					sleepCtx(ctx, 150*time.Millisecond)
				}
				closeDB()
			}
		}()
	}
	return w
}

// finish stops the watch and returns how many looks it took and every time
// two servers were writable at once: a server writable at two consecutive
// looks of its own less than maxLookGap apart, with another server's
// writable look in between. (Looks further apart tell nothing of the time
// between them: the server may have been read-only then.)
func (w *writableWatch) finish() (looks int, overlaps []string) {
	w.stop()
	w.done.Wait()
	byPod := map[string][]writableSample{}
	for _, s := range w.samples {
		byPod[s.pod] = append(byPod[s.pod], s)
	}
	for pod, own := range byPod {
		for i := 1; i < len(own); i++ {
			a, b := own[i-1], own[i]
			if !a.writable || !b.writable || b.at.Sub(a.at) > maxLookGap {
				continue
			}
			for _, o := range w.samples {
				if o.pod != pod && o.writable && o.at.After(a.at) && o.at.Before(b.at) {
					overlaps = append(overlaps, fmt.Sprintf("%s writable from %s to %s, %s writable at %s",
						pod, a.at.Format("15:04:05.000"), b.at.Format("15:04:05.000"), o.pod, o.at.Format("15:04:05.000")))
				}
			}
		}
	}
	return len(w.samples), overlaps
}

// serviceWriter inserts numbered rows into app.t, as an application
// through the write Service would: to the pod the Service's endpoints name
// at each connection, reconnecting on every error, until stopped. It keeps
// the ids the server acknowledged.
type serviceWriter struct {
	c        *testCluster
	ns, pw   string
	stop     context.CancelFunc
	done     chan struct{}
	mu       sync.Mutex // guards acked while the writer runs
	acked    []int
	failures int
	first    int // the first id it inserts
	// longestGap is the longest time between two acknowledged inserts
	// (each waits 20 ms after the last): the write downtime clients saw.
	lastAck    time.Time
	longestGap time.Duration
}

func (c *testCluster) startServiceWriter(ctx context.Context, ns, password string) *serviceWriter {
	return c.startServiceWriterFrom(ctx, ns, password, 1)
}

// startServiceWriterFrom is startServiceWriter with ids from first, for a
// table that holds rows already.
func (c *testCluster) startServiceWriterFrom(ctx context.Context, ns, password string, first int) *serviceWriter {
	ctx, cancel := context.WithCancel(ctx)
	w := &serviceWriter{c: c, ns: ns, pw: password, stop: cancel, done: make(chan struct{}), first: first}
	go w.run(ctx)
	return w
}

func (w *serviceWriter) run(ctx context.Context) {
	defer close(w.done)
	var db *dbsql.DB
	closeDB := func() {}
	defer func() { closeDB() }()
	for id := w.first; ctx.Err() == nil; {
		if db == nil {
			pod, err := w.c.primaryEndpoint(ctx, w.ns)
			if err == nil {
				db, closeDB, err = w.c.rootDB(ctx, w.ns, pod, w.pw)
			}
			if err != nil {
				db, closeDB = nil, func() {}
				w.failures++
				sleepCtx(ctx, 100*time.Millisecond)
				continue
			}
		}
		_, err := db.ExecContext(ctx, "INSERT INTO app.t VALUES (?)", id)
		var myErr *mysql.MySQLError
		switch {
		case err == nil:
			now := time.Now()
			w.mu.Lock()
			w.acked = append(w.acked, id)
			if !w.lastAck.IsZero() && now.Sub(w.lastAck) > w.longestGap {
				w.longestGap = now.Sub(w.lastAck)
			}
			w.lastAck = now
			w.mu.Unlock()
			id++
			// An application's pace, not a load test: the looks at
			// read_only share the same two cores.
			sleepCtx(ctx, 20*time.Millisecond)
		case errors.As(err, &myErr) && myErr.Number == 1062:
			id++ // committed before the connection broke: not acknowledged to us
		default:
			w.failures++
			closeDB()
			db, closeDB = nil, func() {}
			sleepCtx(ctx, 50*time.Millisecond)
		}
	}
}

// count is how many inserts were acknowledged so far.
func (w *serviceWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

// waitAcked waits until the writer has n acknowledged inserts.
func (w *serviceWriter) waitAcked(t *testing.T, ctx context.Context, n int, within time.Duration) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, within, true, func(context.Context) (bool, error) {
		return w.count() >= n, nil
	})
	if err != nil {
		t.Fatalf("the writer has %d acknowledged inserts after %s, want %d", w.count(), within, n)
	}
}

// finish stops the writer and returns the acknowledged ids, sorted.
func (w *serviceWriter) finish() []int {
	w.stop()
	<-w.done
	sort.Ints(w.acked)
	return w.acked
}

// assertAckedEverywhere checks, row by row, that every acknowledged id is
// in app.t on every one of pods.
func (c *testCluster) assertAckedEverywhere(t *testing.T, ctx context.Context, ns, root string, acked []int, pods ...string) {
	t.Helper()
	for _, pod := range pods {
		// A replica may still be catching up (one just restarted is ready
		// within maxReadLag): it gets two minutes to hold every row, and
		// rows of earlier writers in the table do not count for it.
		var missing []int
		_ = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			missing = c.missingRows(t, ctx, ns, pod, root, acked)
			return len(missing) == 0, nil
		})
		for _, id := range missing {
			t.Errorf("%s lacks acknowledged row %d", pod, id)
		}
	}
}

// missingRows lists the ids of acked that app.t on pod lacks. It reads the
// ids row by row: a GROUP_CONCAT would stop at group_concat_max_len, 1024
// bytes by default on MySQL, some 150 ids.
func (c *testCluster) missingRows(t *testing.T, ctx context.Context, ns, pod, root string, acked []int) []int {
	t.Helper()
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db := c.openThroughPortForward(t, qctx, ns, pod, root)
	defer db.Close()
	rows, err := db.QueryContext(qctx, "SELECT id FROM app.t")
	if err != nil {
		t.Fatalf("read app.t on %s: %v", pod, err)
	}
	defer rows.Close()
	have := map[int]bool{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("read app.t on %s: %v", pod, err)
		}
		have[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read app.t on %s: %v", pod, err)
	}
	var missing []int
	for _, id := range acked {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

// primaryEndpoint is the ready pod the write Service routes to.
func (c *testCluster) primaryEndpoint(ctx context.Context, ns string) (string, error) {
	slices, err := c.client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=mysql-primary"})
	if err != nil {
		return "", err
	}
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			if e.TargetRef != nil && (e.Conditions.Ready == nil || *e.Conditions.Ready) {
				return e.TargetRef.Name, nil
			}
		}
	}
	return "", errors.New("mysql-primary has no ready endpoint")
}

// maxLookGap is how far apart two looks at one server may be and still
// tell what it was in between: a few sampling periods.
const maxLookGap = 600 * time.Millisecond

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
