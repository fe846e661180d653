package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/configs"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// TestMetrics: with metrics on, every server's exporter answers through
// the API server's port-forward with the truth about its server (up,
// role, replication threads, binary logs), a stopped thread shows in the
// next scrape, the exporter's account reads no user data and its password
// is in no binary log, and the Prometheus Operator's objects follow its
// CRDs (metricsOperatorObjects).
func TestMetrics(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	image := os.Getenv("MYSQLCTL_E2E_EXPORTER_IMAGE")
	if image == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MYSQLCTL_E2E_EXPORTER_IMAGE is not set: CI proves the metrics (eval \"$(make -s cluster-env)\")")
		}
		t.Skip("MYSQLCTL_E2E_EXPORTER_IMAGE is not set (eval \"$(make -s cluster-env)\")")
	}
	c.forEachFlavour(t, func(t *testing.T, c *testCluster, f flavour) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		ns := c.namespace(t, "metrics-"+f.name)
		c.enforceRestricted(t, ctx, ns) // the exporter keeps the pods restricted
		c.mustSucceed(t, 5*time.Minute, append(append([]string{"up", "-n", ns, "--replicas", "2"}, f.upFlags()...),
			"--metrics", "true", "--metrics-image", image)...)
		metricsScenario(t, ctx, c, f, ns)
		if f.name == "mariadb" { // the CRDs are the whole cluster's: one flavour installs them
			metricsOperatorObjects(t, ctx, c, ns)
		}
	})
}

func metricsScenario(t *testing.T, ctx context.Context, c *testCluster, f flavour, ns string) {
	admin := c.adminPassword(t, ctx, ns)
	c.execAs(t, ctx, ns, "mysql-0", admin, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)", "INSERT INTO app.t VALUES (1)")
	replicaMetric := func(name string) string { return "mysql_slave_status_" + name }
	io, sqlThread := replicaMetric("slave_io_running"), replicaMetric("slave_sql_running")
	stopSQL, startSQL := "STOP SLAVE SQL_THREAD", "START SLAVE SQL_THREAD"
	if f.name == "mysql" { // SHOW REPLICA STATUS's columns
		io, sqlThread = replicaMetric("replica_io_running"), replicaMetric("replica_sql_running")
		stopSQL, startSQL = "STOP REPLICA SQL_THREAD", "START REPLICA SQL_THREAD"
	}

	primary := c.scrapeUntil(t, ctx, ns, "mysql-0", func(s scrape) bool { return s.value("mysql_up") == 1 })
	if primary.value("mysql_global_variables_read_only") != 0 || primary.value("mysql_binlog_size_bytes") <= 0 {
		t.Errorf("primary: read_only %v, binlog bytes %v, want 0 and more than 0", primary.value("mysql_global_variables_read_only"), primary.value("mysql_binlog_size_bytes"))
	}
	replica := c.scrapeUntil(t, ctx, ns, "mysql-1", func(s scrape) bool { return s.value("mysql_up") == 1 && s.value(sqlThread) == 1 })
	if replica.value("mysql_global_variables_read_only") != 1 || replica.value(io) != 1 {
		t.Errorf("replica: read_only %v, %s %v, want 1 and 1", replica.value("mysql_global_variables_read_only"), io, replica.value(io))
	}
	if host := replica.label(sqlThread, "master_host"); !strings.HasPrefix(host, "mysql-0.") {
		t.Errorf("replica's %s names source %q, want mysql-0", sqlThread, host)
	}
	checkDashboardMetrics(t, f, primary, replica)

	// The thread's state is read at each scrape: the first one after the
	// stop says so (the sidecar restarts only what it stopped itself).
	c.execAs(t, ctx, ns, "mysql-1", admin, stopSQL)
	if s := c.scrapeUntil(t, ctx, ns, "mysql-1", func(scrape) bool { return true }); s.value(sqlThread) != 0 {
		t.Errorf("after %s the next scrape says %s %v, want 0", stopSQL, sqlThread, s.value(sqlThread))
	}
	c.execAs(t, ctx, ns, "mysql-1", admin, startSQL)

	password := manifest.MetricsPassword([]byte(c.secretValue(t, ctx, ns, manifest.MetricsSecretName("mysql"), manifest.MetricsConfigKey)))
	c.refusedUserData(t, ctx, ns, password)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	for _, info := range c.binlogEvents(t, ctx, ns, "mysql-0", root) {
		if strings.Contains(info, password) {
			t.Fatalf("the exporter's password is in mysql-0's binary log: an event reads %q", strings.ReplaceAll(info, password, "<password>"))
		}
	}
}

// checkDashboardMetrics: every metric the dashboard draws is in a real
// scrape of this flavour, or one it does not export (the other flavour's
// names, or configs.DashboardOptionalMetrics).
func checkDashboardMetrics(t *testing.T, f flavour, scrapes ...scrape) {
	t.Helper()
	names, err := configs.DashboardMetrics()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range scrapes {
		for _, smp := range s {
			seen[smp.name] = true
		}
	}
	other := map[string][]string{ // the replica status columns of the other family
		"mariadb": {"replica_io_running", "replica_sql_running", "seconds_behind_source", "rpl_semi_sync_source", "rpl_semi_sync_replica"},
		"mysql":   {"slave_io_running", "slave_sql_running", "seconds_behind_master", "rpl_semi_sync_master", "rpl_semi_sync_slave"},
	}[f.name]
	found := 0
	for _, n := range names {
		if seen[n] {
			found++
			continue
		}
		skip := false
		for _, o := range append(other, configs.DashboardOptionalMetrics...) {
			skip = skip || strings.Contains(n, o)
		}
		if !skip {
			t.Errorf("the dashboard draws %s, which the %s exporters do not export", n, f.name)
		}
	}
	t.Logf("%d of the dashboard's %d metrics are in the %s scrapes; the rest are the other flavour's names or optional", found, len(names), f.name)
}

// sample is one line of the exposition format: name, labels, value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

type scrape []sample

func (s scrape) value(name string) float64 {
	for _, smp := range s {
		if smp.name == name {
			return smp.value
		}
	}
	return -1
}

func (s scrape) label(name, label string) string {
	for _, smp := range s {
		if smp.name == name {
			return smp.labels[label]
		}
	}
	return ""
}

// scrapeUntil scrapes pod's exporter through the API server every second
// until ok, and fails with the last scrape's facts after a minute.
func (c *testCluster) scrapeUntil(t *testing.T, ctx context.Context, ns, pod string, ok func(scrape) bool) scrape {
	t.Helper()
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var last scrape
	var lastErr error
	for {
		last, lastErr = scrapeOnce(ctx, client, pod)
		if lastErr == nil && ok(last) {
			return last
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s's exporter: no wanted scrape within a minute (last: %d samples, mysql_up %v, error %v)", pod, len(last), last.value("mysql_up"), lastErr)
		case <-time.After(time.Second):
		}
	}
}

func scrapeOnce(ctx context.Context, client *kube.Client, pod string) (scrape, error) {
	port, err := client.OpenPodPort(ctx, pod, manifest.PortMetrics)
	if err != nil {
		return nil, err
	}
	httpc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) { return port.DialContext(ctx, addr) },
	}, Timeout: 20 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+port.Addr()+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, fmt.Errorf("GET /metrics: %s: %s", resp.Status, body)
	}
	return parseScrape(resp.Body)
}

// parseScrape reads the samples of the text exposition format: every line
// but comments is `name{label="value",...} value`.
func parseScrape(r io.Reader) (scrape, error) {
	var out scrape
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cut := strings.LastIndexByte(line, ' ')
		if cut < 0 {
			return nil, fmt.Errorf("not a sample: %q", line)
		}
		v, err := strconv.ParseFloat(line[cut+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("not a sample: %q", line)
		}
		smp := sample{name: line[:cut], labels: map[string]string{}, value: v}
		if open := strings.IndexByte(smp.name, '{'); open >= 0 {
			for _, pair := range strings.Split(strings.TrimSuffix(smp.name[open+1:], "}"), ",") {
				if k, val, ok := strings.Cut(pair, "="); ok {
					smp.labels[k] = strings.Trim(val, `"`)
				}
			}
			smp.name = smp.name[:open]
		}
		out = append(out, smp)
	}
	return out, lines.Err()
}

// refusedUserData logs in as the exporter's account and reads a user table.
func (c *testCluster) refusedUserData(t *testing.T, ctx context.Context, ns, password string) {
	t.Helper()
	client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	forward, err := client.ForwardPort(fctx, "mysql-1", manifest.PortMySQL)
	if err != nil {
		t.Fatal(err)
	}
	defer forward.Close()
	// TLS, as MySQL's caching_sha2_password wants; what is tested here is
	// the account's privileges, not the certificate.
	conn, err := sql.Open(fctx, sql.Target{Name: "mysql-1", Addr: forward.Addr(), User: manifest.MetricsUser, Password: password,
		Dial: forward.DialContext, TLS: &tls.Config{InsecureSkipVerify: true}}) //nolint:gosec // see above
	if err != nil {
		t.Fatalf("the exporter's account cannot log in: %v", err)
	}
	defer conn.Close()
	_, err = conn.Column(fctx, sql.Statement{SQL: "SELECT id FROM app.t"})
	if err == nil || !strings.Contains(err.Error(), "1142") {
		t.Errorf("the exporter's account read a user table: %v, want error 1142 (SELECT command denied)", err)
	}
}

// binlogEvents is the Info column of every event in pod's binary logs.
func (c *testCluster) binlogEvents(t *testing.T, ctx context.Context, ns, pod, root string) []string {
	t.Helper()
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	db := c.openThroughPortForward(t, fctx, ns, pod, root)
	defer db.Close()
	files, err := db.QueryContext(fctx, "SHOW BINARY LOGS")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for files.Next() {
		cols, _ := files.Columns()
		vals := make([]any, len(cols))
		var name string
		vals[0] = &name
		for i := 1; i < len(cols); i++ {
			vals[i] = new(any)
		}
		if err := files.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	files.Close()
	var infos []string
	for _, name := range names {
		rows, err := db.QueryContext(fctx, "SHOW BINLOG EVENTS IN '"+name+"'")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var logName, eventType, info string
			var pos, serverID, end int64
			if err := rows.Scan(&logName, &pos, &eventType, &serverID, &end, &info); err != nil {
				t.Fatal(err)
			}
			infos = append(infos, info)
		}
		rows.Close()
	}
	if len(infos) == 0 {
		t.Fatalf("no event in %s's binary logs %v", pod, names)
	}
	return infos
}
