package configs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// grafanaDashboard is the Grafana dashboard of a cluster's servers, drawn
// from the series of the mysqld_exporter that the metrics key adds to every
// pod (Prometheus relabels them with namespace, pod and cluster).
//
//go:embed monitoring/grafana-dashboard.json
var grafanaDashboard []byte

// GrafanaDashboard returns configs/monitoring/grafana-dashboard.json, a
// Grafana dashboard model (a copy: the caller may change it).
func GrafanaDashboard() []byte { return slices.Clone(grafanaDashboard) }

// DashboardOptionalMetrics are the series the dashboard queries that a
// server exports only in some configurations, so no scrape of a default
// server holds them (every other series it queries is in the real scrapes
// of e2e/testdata/metrics). Each is queried as "<MariaDB name> or <this>",
// so that its panel works on either flavour.
var DashboardOptionalMetrics = []string{
	// MySQL's semi-sync status variables exist only while the semisync
	// plugins are installed (MariaDB's rpl_semi_sync_master_* and _slave_*
	// are built in and always exported). From MySQL 8.0.26 the plugins are
	// semisync_source and semisync_replica, whose variables say
	// source/replica: names read off mysqld_exporter v0.16.0 scraping a
	// MySQL 9.7.4 primary and replica with those plugins loaded.
	"mysql_global_status_rpl_semi_sync_replica_status",
	"mysql_global_status_rpl_semi_sync_source_clients",
	"mysql_global_status_rpl_semi_sync_source_no_tx",
	"mysql_global_status_rpl_semi_sync_source_status",
}

// metricName matches the series names a PromQL expression can refer to:
// the exporter's (mysql_…) and mysqlctl's recording rules (mysqlctl_…,
// with colons), once string literals are blanked out (promQLString).
var metricName = regexp.MustCompile(`\bmysql_[a-z0-9_]+|\bmysqlctl_[a-z0-9_:]+`)

// promQLString matches a PromQL string literal: a label value such as
// job="mysql_exporter" names no series.
var promQLString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")

// exprMetrics returns the metric names one PromQL expression refers to.
func exprMetrics(expr string) []string {
	return metricName.FindAllString(promQLString.ReplaceAllString(expr, `""`), -1)
}

// dashboardModel is the part of the dashboard model that queries series.
type dashboardModel struct {
	Panels []dashboardPanel `json:"panels"`
}

type dashboardPanel struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"` // a collapsed row's
}

// DashboardMetrics returns the metric names the dashboard's panels query,
// sorted, each once.
func DashboardMetrics() ([]string, error) {
	var d dashboardModel
	if err := json.Unmarshal(grafanaDashboard, &d); err != nil {
		return nil, fmt.Errorf("grafana dashboard: %w", err)
	}
	var names []string
	var walk func([]dashboardPanel)
	walk = func(panels []dashboardPanel) {
		for _, p := range panels {
			for _, t := range p.Targets {
				names = append(names, exprMetrics(t.Expr)...)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	slices.Sort(names)
	return slices.Compact(names), nil
}
