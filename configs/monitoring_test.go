package configs

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The scrapes are real mysqld_exporter v0.16.0 output (default collectors
// and --collect.binlog_size) of a primary and a replica of each flavour.
const scrapeDir = "../e2e/testdata/metrics"

// scrapedLabels reads every *.prom file of scrapeDir: each metric name
// with the names of the labels its series carry.
func scrapedLabels(t *testing.T) map[string]map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(scrapeDir, "*.prom"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scrapes in %s (%v)", scrapeDir, err)
	}
	out := map[string]map[string]bool{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		up := false
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, value, _ := strings.Cut(line, " ")
			labels := ""
			if i := strings.IndexByte(name, '{'); i >= 0 { // label values may hold spaces
				end := strings.LastIndexByte(line, '}')
				name, labels, value = line[:i], line[i+1:end], line[end+1:]
			}
			if out[name] == nil {
				out[name] = map[string]bool{}
			}
			for _, m := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`).FindAllStringSubmatch(labels, -1) {
				out[name][m[1]] = true
			}
			if name == "mysql_up" && strings.TrimSpace(value) == "1" {
				up = true
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !up {
			t.Errorf("%s: no mysql_up 1: not the scrape of a server the exporter could log in to", file)
		}
	}
	return out
}

// dashboard is the embedded dashboard as plain JSON.
func dashboard(t *testing.T) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(GrafanaDashboard(), &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	return d
}

// panelsOf lists the panels, those inside collapsed rows included.
func panelsOf(d map[string]any) []map[string]any {
	var out []map[string]any
	var walk func(any)
	walk = func(list any) {
		items, _ := list.([]any)
		for _, item := range items {
			p, _ := item.(map[string]any)
			out = append(out, p)
			walk(p["panels"])
		}
	}
	walk(d["panels"])
	return out
}

// usesDatasourceVariable: the panel or target queries Prometheus through
// the dashboard's datasource variable, not a fixed data source.
func usesDatasourceVariable(v any) bool {
	ds, _ := v.(map[string]any)
	uid, _ := ds["uid"].(string)
	return ds["type"] == "prometheus" && (uid == "${datasource}" || uid == "$datasource")
}

// variables returns the template variables by name.
func variables(t *testing.T, d map[string]any) map[string]map[string]any {
	t.Helper()
	templating, _ := d["templating"].(map[string]any)
	list, _ := templating["list"].([]any)
	out := map[string]map[string]any{}
	for _, item := range list {
		v, _ := item.(map[string]any)
		name, _ := v["name"].(string)
		out[name] = v
	}
	return out
}

// variableQuery returns a query variable's query, in either form Grafana
// stores it.
func variableQuery(v map[string]any) string {
	if q, ok := v["query"].(string); ok {
		return q
	}
	q, _ := v["query"].(map[string]any)
	s, _ := q["query"].(string)
	return s
}

func TestGrafanaDashboardModel(t *testing.T) {
	d := dashboard(t)
	if v, _ := d["schemaVersion"].(float64); v < 36 {
		t.Errorf("schemaVersion %v: want a current Grafana model (39)", d["schemaVersion"])
	}
	if title, _ := d["title"].(string); title == "" {
		t.Error("the dashboard has no title")
	}
	if uid, _ := d["uid"].(string); uid == "" {
		t.Error("the dashboard has no uid: every import would make a new copy")
	}

	vars := variables(t, d)
	if ds := vars["datasource"]; ds == nil || ds["type"] != "datasource" || ds["query"] != "prometheus" {
		t.Errorf("want a template variable datasource of type datasource choosing among prometheus data sources, got %v", ds)
	}
	for name, want := range map[string]string{
		"namespace": "label_values(mysql_up, namespace)",
		"cluster":   `label_values(mysql_up{namespace="$namespace"}, cluster)`,
		"pod":       `label_values(mysql_up{namespace="$namespace", cluster="$cluster"}, pod)`,
	} {
		v := vars[name]
		if v == nil {
			t.Errorf("no template variable %s", name)
			continue
		}
		if v["type"] != "query" || !usesDatasourceVariable(v["datasource"]) || variableQuery(v) != want {
			t.Errorf("template variable %s: want a query %q on ${datasource}, got type %v, datasource %v, query %q",
				name, want, v["type"], v["datasource"], variableQuery(v))
		}
	}

	ids := map[float64]string{}
	targets := 0
	for _, p := range panelsOf(d) {
		title, _ := p["title"].(string)
		if title == "" {
			t.Errorf("a panel of type %v has no title", p["type"])
		}
		id, _ := p["id"].(float64)
		if prev, dup := ids[id]; dup || id == 0 {
			t.Errorf("panel %q: id %v missing or also %q's", title, p["id"], prev)
		}
		ids[id] = title
		pos, _ := p["gridPos"].(map[string]any)
		x, _ := pos["x"].(float64)
		w, _ := pos["w"].(float64)
		if h, _ := pos["h"].(float64); h <= 0 || w <= 0 || x+w > 24 {
			t.Errorf("panel %q: gridPos %v outside the 24-column grid", title, pos)
		}
		if p["type"] == "row" {
			continue
		}
		if !usesDatasourceVariable(p["datasource"]) {
			t.Errorf("panel %q: datasource %v, want the ${datasource} variable", title, p["datasource"])
		}
		list, _ := p["targets"].([]any)
		if len(list) == 0 {
			t.Errorf("panel %q has no target", title)
		}
		refIDs := map[string]bool{}
		for _, item := range list {
			target, _ := item.(map[string]any)
			expr, _ := target["expr"].(string)
			refID, _ := target["refId"].(string)
			if strings.TrimSpace(expr) == "" || refID == "" || refIDs[refID] {
				t.Errorf("panel %q: target %v needs an expr and its own refId", title, target)
			}
			refIDs[refID] = true
			if ds, ok := target["datasource"]; ok && !usesDatasourceVariable(ds) {
				t.Errorf("panel %q: target %s's datasource %v, want the ${datasource} variable", title, refID, ds)
			}
			checkExpr(t, title, expr)
			targets++
		}
	}
	if targets == 0 {
		t.Fatal("the dashboard queries nothing")
	}
}

// selector is a metric name with its label matchers.
var selector = regexp.MustCompile(`\b(mysql_[a-z0-9_]+|mysqlctl_[a-z0-9_:]+)(\{[^}]*\})?`)

// checkExpr: brackets balance, and every series the expression selects is
// the chosen cluster's (one namespace and cluster: the PodMonitor's
// labels), so no panel mixes two clusters.
func checkExpr(t *testing.T, title, expr string) {
	t.Helper()
	depth := map[rune]int{}
	for _, r := range expr {
		switch r {
		case '(', '{', '[':
			depth[r]++
		case ')':
			depth['(']--
		case '}':
			depth['{']--
		case ']':
			depth['[']--
		}
		for open, n := range depth {
			if n < 0 {
				t.Errorf("panel %q: %q closes a %c it did not open", title, expr, open)
				return
			}
		}
	}
	for open, n := range depth {
		if n != 0 {
			t.Errorf("panel %q: %q leaves a %c open", title, expr, open)
		}
	}
	for _, m := range selector.FindAllStringSubmatch(expr, -1) {
		if !strings.Contains(m[2], `namespace="$namespace"`) || !strings.Contains(m[2], `cluster="$cluster"`) {
			t.Errorf("panel %q: %s%s is not restricted to $namespace and $cluster", title, m[1], m[2])
		}
	}
}

func TestDashboardMetricsAreScraped(t *testing.T) {
	names, err := DashboardMetrics()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("DashboardMetrics is empty")
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("DashboardMetrics is not sorted and unique: %v", names)
	}
	scraped := scrapedLabels(t)
	for _, name := range names {
		if _, ok := scraped[name]; !ok && !slices.Contains(DashboardOptionalMetrics, name) {
			t.Errorf("the dashboard queries %s, which no real scrape in %s has (and DashboardOptionalMetrics does not list)", name, scrapeDir)
		}
	}
	// The exceptions are few and current: each is queried, and none is in
	// the scrapes (then it needs no exception).
	for _, name := range DashboardOptionalMetrics {
		if !slices.Contains(names, name) {
			t.Errorf("DashboardOptionalMetrics lists %s, which the dashboard does not query", name)
		}
		if _, ok := scraped[name]; ok {
			t.Errorf("DashboardOptionalMetrics lists %s, which a scrape in %s has: remove it from the list", name, scrapeDir)
		}
	}

	// The template variables' queries and the labels every selector
	// matches on exist as well (namespace, cluster and pod are the
	// PodMonitor's, absent from a bare scrape).
	d := dashboard(t)
	var exprs []string
	for _, v := range variables(t, d) {
		exprs = append(exprs, variableQuery(v))
	}
	for _, p := range panelsOf(d) {
		list, _ := p["targets"].([]any)
		for _, item := range list {
			target, _ := item.(map[string]any)
			expr, _ := target["expr"].(string)
			exprs = append(exprs, expr)
		}
	}
	matcher := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)`)
	for _, expr := range exprs {
		for _, m := range selector.FindAllStringSubmatch(expr, -1) {
			labels, ok := scraped[m[1]]
			if !ok {
				if !slices.Contains(DashboardOptionalMetrics, m[1]) {
					t.Errorf("%q queries %s, which no real scrape has", expr, m[1])
				}
				continue
			}
			for _, lm := range matcher.FindAllStringSubmatch(m[2], -1) {
				switch label := lm[1]; label {
				case "namespace", "cluster", "pod":
				default:
					if !labels[label] {
						t.Errorf("%q matches label %s of %s, which its scraped series do not have", expr, label, m[1])
					}
				}
			}
		}
	}
}

func TestDashboardMetricsParsing(t *testing.T) {
	for expr, want := range map[string][]string{
		`rate(mysql_global_status_queries{pod=~"$pod"}[$__rate_interval])`:               {"mysql_global_status_queries"},
		`mysql_slave_status_slave_io_running{} or mysql_slave_status_replica_io_running`: {"mysql_slave_status_slave_io_running", "mysql_slave_status_replica_io_running"},
		`sum by (pod) (mysqlctl:lag) + mysqlctl_cluster:writable:count`:                  {"mysqlctl_cluster:writable:count"},
		`count(up{job="mysql_exporter"}) or vector(0)`:                                   nil,
	} {
		if got := exprMetrics(expr); !slices.Equal(got, want) {
			t.Errorf("exprMetrics(%q) = %v, want %v", expr, got, want)
		}
	}
}
