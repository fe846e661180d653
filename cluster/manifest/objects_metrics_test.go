package manifest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/mysqlctl/mysqlctl/kube"
)

func metricsSpec(f Flavor) Spec {
	return Spec{Replicas: 3, Flavor: f, Metrics: "true", NetworkPolicy: "true", MetricsFrom: "monitoring"}.WithDefaults()
}

func container(pod corev1.PodSpec, name string) *corev1.Container {
	for i := range pod.Containers {
		if pod.Containers[i].Name == name {
			return &pod.Containers[i]
		}
	}
	return nil
}

func TestMetricsOffAddsNothing(t *testing.T) {
	objs, sts := buildTyped(t, specOf(FlavorMariaDB))
	if c := container(sts.Spec.Template.Spec, ContainerMetrics); c != nil {
		t.Errorf("metrics off, yet the pods run %s", c.Name)
	}
	if objs.MetricsSecret != nil || objs.Monitoring != nil || len(objs.Optional()) != 0 {
		t.Errorf("metrics off, yet objects for it: %+v %+v", objs.MetricsSecret, objs.Monitoring)
	}
	if LiveSpec(sts).WithDefaults().WantsMetrics() {
		t.Error("a StatefulSet without the exporter reads back as metrics true")
	}
}

func TestMetricsOnRunsTheExporterWithItsOwnSecretOnly(t *testing.T) {
	for _, f := range Flavors() {
		spec := metricsSpec(f)
		objs, sts := buildTyped(t, spec)
		c := container(sts.Spec.Template.Spec, ContainerMetrics)
		if c == nil {
			t.Fatalf("%s: no %s container", f, ContainerMetrics)
		}
		if c.Image != DefaultMetricsImage || len(c.Ports) != 1 || c.Ports[0].ContainerPort != PortMetrics || c.Ports[0].Name != portNameMetrics {
			t.Errorf("%s: exporter %s on %+v", f, c.Image, c.Ports)
		}
		if c.ReadinessProbe != nil || c.LivenessProbe != nil {
			t.Errorf("%s: the exporter has probes: a failing exporter would take its server out of the Services", f)
		}
		var mounts []string
		for _, m := range c.VolumeMounts {
			if !m.ReadOnly {
				t.Errorf("%s: the exporter may write %s", f, m.MountPath)
			}
			mounts = append(mounts, m.Name)
		}
		if got := strings.Join(mounts, ","); got != volumeMetrics+","+volumeMetricsCA {
			t.Errorf("%s: the exporter mounts %s, want its option file and the CA only", f, got)
		}
		for _, v := range sts.Spec.Template.Spec.Volumes {
			if v.Name == volumeMetricsCA && (v.Secret == nil || len(v.Secret.Items) != 1 || v.Secret.Items[0].Key != TLSKeyCA) {
				t.Errorf("%s: the exporter's CA volume holds more than ca.crt: %+v", f, v.Secret)
			}
		}
		if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
			t.Errorf("%s: the exporter may gain privileges", f)
		}
		if objs.MetricsSecret == nil || *objs.MetricsSecret.Name != MetricsSecretName(spec.Name) {
			t.Errorf("%s: no metrics Secret", f)
		}
		if len(objs.Monitoring) != 2 || objs.Monitoring[0].Kind != kube.KindPodMonitor || objs.Monitoring[1].Kind != kube.KindPrometheusRule {
			t.Errorf("%s: monitoring objects %+v", f, objs.Monitoring)
		}
		live := LiveSpec(sts).WithDefaults()
		if !live.WantsMetrics() || live.MetricsImage != spec.MetricsImage || live.MetricsFrom != spec.MetricsFrom {
			t.Errorf("%s: read back as metrics %s, image %s, from %q", f, live.Metrics, live.MetricsImage, live.MetricsFrom)
		}
	}
}

func TestMetricsPortAdmittedFromTheNamespaceGiven(t *testing.T) {
	for _, from := range []string{"monitoring", ""} {
		spec := metricsSpec(FlavorMariaDB)
		spec.MetricsFrom = from
		objs, err := BuildObjects(spec, "db")
		if err != nil {
			t.Fatal(err)
		}
		var rule string
		for _, r := range objs.NetworkPolicy.Spec.Ingress {
			for _, p := range r.Ports {
				if p.Port != nil && p.Port.IntValue() == PortMetrics {
					rule = "port"
					for _, peer := range r.From {
						rule += " from " + peer.NamespaceSelector.MatchLabels[corev1.LabelMetadataName]
					}
				}
			}
		}
		want := "port"
		if from != "" {
			want += " from " + from
		}
		if rule != want {
			t.Errorf("metricsFrom %q: the NetworkPolicy admits %q, want %q", from, rule, want)
		}
	}
}

func TestMetricsConfigKeepsThePasswordInOnePlace(t *testing.T) {
	data, err := NewMetricsConfig()
	if err != nil {
		t.Fatal(err)
	}
	cnf := string(data[MetricsConfigKey])
	pw := MetricsPassword(data[MetricsConfigKey])
	if len(pw) != passwordLength || !strings.Contains(cnf, "user="+MetricsUser+"\n") || !strings.Contains(cnf, "ssl-ca="+mountMetricsCA+"/"+TLSKeyCA) {
		t.Errorf("option file %q, password of %d characters", strings.ReplaceAll(cnf, pw, "<password>"), len(pw))
	}
	if MetricsPassword([]byte("[client]\nuser=x\n")) != "" {
		t.Error("a password read from a file without one")
	}
}

func TestMetricsKeysRefuseBadValues(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		flag string
	}{
		{Spec{Metrics: "yes"}, "--metrics true"},
		{Spec{Metrics: "true", MetricsImage: "Not An Image"}, "--metrics-image"},
		{Spec{Metrics: "true", MetricsFrom: "Monitoring!"}, "--metrics-from monitoring"},
	} {
		s := tc.spec
		s.Replicas = 3
		err := s.WithDefaults().Validate()
		var invalid *InvalidSpecError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%+v: %v, want an invalid spec naming %s", tc.spec, err, tc.flag)
		}
	}
}

// TestAlertingRulesPassPromtool checks the rules as Prometheus loads them:
// promtool (Debian's prometheus package, which CI installs) parses every
// expression and template.
func TestAlertingRulesPassPromtool(t *testing.T) {
	promtool := requirePromtool(t)
	spec := metricsSpec(FlavorMySQL)
	groups := RuleGroups(spec, "db", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC))
	raw, err := yaml.Marshal(map[string]any{"groups": groups})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "check", "rules", file).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s\n%s", err, out, raw)
	}
	for _, alert := range []string{"MySQLReplicaNotReplicating", "MySQLMoreThanOneWritable", "MySQLNoWritablePrimary", "MySQLReplicationLag", "MySQLBinlogsFillTheVolume", "MySQLCertificateEnds"} {
		if !strings.Contains(string(raw), "alert: "+alert) {
			t.Errorf("no alert %s in\n%s", alert, raw)
		}
	}
	if !strings.Contains(string(out), "SUCCESS") {
		t.Errorf("promtool said %s", out)
	}
}

// TestAlertsFireOnWhatTheyName runs the rules on made-up series with
// promtool's rule tests: two writable servers, none, and a stopped
// replica (MySQL 8.4+'s names) each fire their alert and no other of
// theirs; the recording rule names each server's role.
func TestAlertsFireOnWhatTheyName(t *testing.T) {
	promtool := requirePromtool(t)
	dir := t.TempDir()
	raw, err := yaml.Marshal(map[string]any{"groups": RuleGroups(metricsSpec(FlavorMySQL), "db", time.Time{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ro := func(pod, values string) map[string]any {
		return map[string]any{"series": `mysql_global_variables_read_only{cluster="mysql",namespace="db",pod="` + pod + `"}`, "values": values}
	}
	alert := func(at, name string, labels, annotations map[string]any) map[string]any {
		want := []any{}
		if labels != nil {
			labels["cluster"], labels["namespace"] = "mysql", "db"
			want = append(want, map[string]any{"exp_labels": labels, "exp_annotations": annotations})
		}
		return map[string]any{"eval_time": at, "alertname": name, "exp_alerts": want}
	}
	tests := map[string]any{
		"rule_files":          []any{"rules.yaml"},
		"evaluation_interval": "1m",
		"tests": []any{
			map[string]any{
				"interval":     "1m",
				"input_series": []any{ro("mysql-0", "0x5"), ro("mysql-1", "0x5")},
				"alert_rule_test": []any{
					alert("3m", "MySQLMoreThanOneWritable", map[string]any{"severity": "critical"}, map[string]any{
						"summary": "cluster mysql has 2 writable servers", "action": "run mysqlctl check -n db --name mysql at once: only the recorded primary may take writes"}),
					alert("3m", "MySQLNoWritablePrimary", nil, nil),
				},
				"promql_expr_test": []any{map[string]any{
					"expr": "mysqlctl:server_role", "eval_time": "1m",
					"exp_samples": []any{
						map[string]any{"labels": `mysqlctl:server_role{cluster="mysql",namespace="db",pod="mysql-0",role="primary"}`, "value": 1},
						map[string]any{"labels": `mysqlctl:server_role{cluster="mysql",namespace="db",pod="mysql-1",role="primary"}`, "value": 1},
					},
				}},
			},
			map[string]any{
				"interval":     "1m",
				"input_series": []any{ro("mysql-0", "1x5"), ro("mysql-1", "1x5")},
				"alert_rule_test": []any{
					alert("3m", "MySQLNoWritablePrimary", map[string]any{"severity": "critical"}, map[string]any{
						"summary": "cluster mysql has no writable server: writes fail", "action": "run mysqlctl check -n db --name mysql; mysqlctl promote names the way out"}),
					alert("3m", "MySQLMoreThanOneWritable", nil, nil),
				},
			},
			map[string]any{
				"interval": "1m",
				"input_series": []any{
					ro("mysql-0", "0x5"), ro("mysql-1", "1x5"),
					map[string]any{"series": `mysql_slave_status_replica_io_running{cluster="mysql",namespace="db",pod="mysql-1"}`, "values": "1x5"},
					map[string]any{"series": `mysql_slave_status_replica_sql_running{cluster="mysql",namespace="db",pod="mysql-1"}`, "values": "1 0x4"},
				},
				"alert_rule_test": []any{
					alert("3m", "MySQLReplicaNotReplicating", map[string]any{"severity": "critical", "pod": "mysql-1"}, map[string]any{
						"summary": "replica mysql-1 of cluster mysql does not replicate",
						"action":  "run mysqlctl check -n db --name mysql: it names the thread's error and the way out"}),
					alert("3m", "MySQLNoWritablePrimary", nil, nil),
					alert("3m", "MySQLMoreThanOneWritable", nil, nil),
				},
			},
		},
	}
	rawTests, err := yaml.Marshal(tests)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests.yaml"), rawTests, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "test", "rules", "tests.yaml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

// requirePromtool is promtool's path: CI installs it (Debian's prometheus
// package, e2e/localkube/install-deps.sh); elsewhere its tests skip.
func requirePromtool(t *testing.T) string {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is not installed: CI checks the alerting rules with it (e2e/localkube/install-deps.sh installs prometheus)")
		}
		t.Skip("promtool is not installed (apt-get install prometheus)")
	}
	return promtool
}
