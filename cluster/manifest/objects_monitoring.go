package manifest

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/mysqlctl/mysqlctl/kube"
)

// The Prometheus Operator's objects of a cluster with metrics: a
// PodMonitor, so that the exporters are scraped, and a PrometheusRule of
// recording and alerting rules. up applies them where the operator's CRDs
// are served; render always shows them.
const (
	monitoringAPIVersion = "monitoring.coreos.com/v1"
	// scrapeInterval: a stopped replica shows within half a minute.
	scrapeInterval = "30s"
	// MetricsClusterLabel is the label the PodMonitor gives every series:
	// the cluster's name, as the pods' app.kubernetes.io/instance says.
	MetricsClusterLabel = "cluster"
	// certificateWarning is how long before a certificate's end the rule
	// warns: up renews the servers' certificate within that time.
	certificateWarning = 30 * 24 * time.Hour
)

// MonitoringName is the PodMonitor's and the PrometheusRule's name.
func MonitoringName(name string) string { return name }

// BuildMonitoring makes the PodMonitor and the PrometheusRule of spec in
// ns; certificatesEnd is when the first of the cluster's TLS certificates
// ends (zero: unknown, and no rule warns of it). Nil without metrics.
func BuildMonitoring(spec Spec, ns string, certificatesEnd time.Time) []*kube.Custom {
	spec = spec.WithDefaults()
	if !spec.WantsMetrics() {
		return nil
	}
	return []*kube.Custom{buildPodMonitor(spec, ns), buildPrometheusRule(spec, ns, certificatesEnd)}
}

func monitoringMetadata(spec Spec, ns string) map[string]any {
	labels := map[string]any{}
	for k, v := range Labels(spec.Name, componentMonitoring) {
		labels[k] = v
	}
	meta := map[string]any{"name": MonitoringName(spec.Name), "labels": labels}
	if ns != "" {
		meta["namespace"] = ns
	}
	return meta
}

// buildPodMonitor scrapes every server pod's exporter port, and names the
// cluster on every series (the PodMonitor adds namespace and pod itself).
func buildPodMonitor(spec Spec, ns string) *kube.Custom {
	matchLabels := map[string]any{}
	for k, v := range selectorLabels(spec.Name) {
		matchLabels[k] = v
	}
	return &kube.Custom{Kind: kube.KindPodMonitor, Object: map[string]any{
		"apiVersion": monitoringAPIVersion,
		"kind":       "PodMonitor",
		"metadata":   monitoringMetadata(spec, ns),
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": matchLabels},
			"podMetricsEndpoints": []any{map[string]any{
				"port":     portNameMetrics,
				"interval": scrapeInterval,
				"relabelings": []any{map[string]any{
					"sourceLabels": []any{"__meta_kubernetes_pod_label_" + sanitizeLabel(LabelInstance)},
					"targetLabel":  MetricsClusterLabel,
				}},
			}},
		},
	}}
}

// sanitizeLabel is a Kubernetes label name as Prometheus's service
// discovery spells it: every character not allowed in a label becomes _.
func sanitizeLabel(s string) string {
	out := []byte(s)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			out[i] = '_'
		}
	}
	return string(out)
}

func buildPrometheusRule(spec Spec, ns string, certificatesEnd time.Time) *kube.Custom {
	return &kube.Custom{Kind: kube.KindPrometheusRule, Object: map[string]any{
		"apiVersion": monitoringAPIVersion,
		"kind":       "PrometheusRule",
		"metadata":   monitoringMetadata(spec, ns),
		"spec":       map[string]any{"groups": RuleGroups(spec, ns, certificatesEnd)},
	}}
}

// RuleGroups are the PrometheusRule's groups, as a Prometheus rule file
// holds them (promtool checks them in the tests).
func RuleGroups(spec Spec, ns string, certificatesEnd time.Time) []any {
	r := newRuleWriter(spec, ns)
	return []any{
		map[string]any{"name": "mysqlctl-" + spec.Name + "-role", "rules": []any{r.roleRecord()}},
		map[string]any{"name": "mysqlctl-" + spec.Name + "-alerts", "rules": r.alerts(spec, certificatesEnd)},
	}
}

// ruleWriter writes the rules of one cluster: every selector names it.
type ruleWriter struct {
	sel    string // the label matchers of the cluster's series
	labels map[string]any
	// cluster and target name the cluster in the alerts' texts: the
	// aggregated alerts' series keep none of its labels.
	cluster, target string
}

func newRuleWriter(spec Spec, ns string) ruleWriter {
	sel := fmt.Sprintf("%s=%q", MetricsClusterLabel, spec.Name)
	labels := map[string]any{MetricsClusterLabel: spec.Name}
	if ns != "" {
		sel += fmt.Sprintf(",namespace=%q", ns)
		labels["namespace"] = ns
	}
	target := "-n {{ $labels.namespace }} --name " + spec.Name
	if ns != "" {
		target = "-n " + ns + " --name " + spec.Name
	}
	return ruleWriter{sel: sel, labels: labels, cluster: spec.Name, target: target}
}

// metric is name{the cluster's matchers}.
func (r ruleWriter) metric(name string) string { return name + "{" + r.sel + "}" }

// roleRecord turns each server's read_only into its role: the pods set
// read_only from the cluster's record (the recorded primary alone is
// writable), and nothing of mysqlctl may label the pods between commands.
func (r ruleWriter) roleRecord() map[string]any {
	ro := r.metric("mysql_global_variables_read_only")
	return map[string]any{
		"record": "mysqlctl:server_role",
		"expr": fmt.Sprintf(`label_replace(%s == 0, "role", "primary", "", "") * 0 + 1 or label_replace(%s == 1, "role", "replica", "", "") * 0 + 1`,
			ro, ro),
	}
}

// alerts: a server down, a replica not replicating or too far behind, no
// writable server or more than one, binary logs filling the volume, and a
// certificate near its end.
func (r ruleWriter) alerts(spec Spec, certificatesEnd time.Time) []any {
	ro := r.metric("mysql_global_variables_read_only")
	// MySQL 8.4 and later name the replica status columns Replica_* and
	// *_Source; MariaDB and older MySQL Slave_* and *_Master.
	io := fmt.Sprintf("(%s or %s)", r.metric("mysql_slave_status_slave_io_running"), r.metric("mysql_slave_status_replica_io_running"))
	sqlThread := fmt.Sprintf("(%s or %s)", r.metric("mysql_slave_status_slave_sql_running"), r.metric("mysql_slave_status_replica_sql_running"))
	lag := fmt.Sprintf("(%s or %s)", r.metric("mysql_slave_status_seconds_behind_master"), r.metric("mysql_slave_status_seconds_behind_source"))
	out := []any{
		r.alert("MySQLServerDown", "critical", "2m", fmt.Sprintf("%s == 0 or %s == 0", r.metric("up"), r.metric("mysql_up")),
			"{{ $labels.pod }} of cluster "+r.cluster+" does not answer its exporter",
			"run mysqlctl status "+r.target),
		r.alert("MySQLReplicaNotReplicating", "critical", "1m", fmt.Sprintf("%s == 0 or %s == 0", io, sqlThread),
			"replica {{ $labels.pod }} of cluster "+r.cluster+" does not replicate",
			"run mysqlctl check "+r.target+": it names the thread's error and the way out"),
		r.alert("MySQLReplicationLag", "warning", "2m", fmt.Sprintf("%s > %d", lag, spec.MaxReadLagSeconds()),
			"replica {{ $labels.pod }} of cluster "+r.cluster+" is {{ $value }} s behind, more than maxReadLag",
			"it no longer serves reads through the read Service; run mysqlctl status "+r.target),
		r.alert("MySQLNoWritablePrimary", "critical", "1m", fmt.Sprintf("absent(%s == 0)", ro),
			"cluster "+r.cluster+" has no writable server: writes fail",
			"run mysqlctl check "+r.target+"; mysqlctl promote names the way out"),
		r.alert("MySQLMoreThanOneWritable", "critical", "1m", fmt.Sprintf("count(%s == 0) > 1", ro),
			"cluster "+r.cluster+" has {{ $value }} writable servers",
			"run mysqlctl check "+r.target+" at once: only the recorded primary may take writes"),
		r.alert("MySQLBinlogsFillTheVolume", "warning", "15m", fmt.Sprintf("%s > %d", r.metric("mysql_binlog_size_bytes"), binlogAlertBytes(spec)),
			"the binary logs of {{ $labels.pod }} take more than half of its volume",
			"lower binlogRetention or grow the volumes (mysqlctl up "+r.target+" --storage)"),
	}
	if !certificatesEnd.IsZero() {
		warnFrom := certificatesEnd.Add(-certificateWarning).Unix()
		out = append(out, r.alert("MySQLCertificateEnds", "warning", "0s", fmt.Sprintf("vector(time()) > %d", warnFrom),
			"a TLS certificate of cluster "+spec.Name+" ends on "+certificatesEnd.UTC().Format(time.DateOnly),
			"run mysqlctl up "+r.target+", which renews the servers' certificate; mysqlctl check says which one ends"))
	}
	return out
}

func (r ruleWriter) alert(name, severity, forDuration, expr, summary, action string) map[string]any {
	labels := map[string]any{"severity": severity}
	for k, v := range r.labels {
		labels[k] = v
	}
	return map[string]any{
		"alert":       name,
		"expr":        expr,
		"for":         forDuration,
		"labels":      labels,
		"annotations": map[string]any{"summary": summary, "action": action},
	}
}

// binlogAlertBytes is half of a server's volume.
func binlogAlertBytes(spec Spec) int64 {
	q, err := resource.ParseQuantity(spec.StorageSize)
	if err != nil {
		return 0
	}
	return q.Value() / 2
}
