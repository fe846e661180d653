package manifest

import (
	"fmt"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// The spec keys metrics, metricsImage and metricsFrom.
const (
	// defaultMetrics is off: the exporter is a third container in every
	// server pod, from an image of another registry that every node must
	// be able to pull, with an account of its own on the servers. A team
	// that scrapes says metrics: true.
	defaultMetrics = "false"
	// DefaultMetricsImage is the Prometheus project's mysqld_exporter.
	// v0.16.0 is the newest release the Go module proxy serves here, so
	// the local test image is built from the same code
	// (configs/images/mysqld-exporter-0.16.0.txt).
	DefaultMetricsImage = "quay.io/prometheus/mysqld-exporter:v0.16.0"
)

// The exporter in the pods.
const (
	// ContainerMetrics is the exporter's container.
	ContainerMetrics = "metrics"
	// PortMetrics is the exporter's port: its default, and the one the
	// Prometheus community registered for it.
	PortMetrics     = 9104
	portNameMetrics = "metrics"
	// MetricsUser is the account the exporter logs in as: it reads server
	// status and replication state, never user data (sql.MetricsAccount).
	MetricsUser = "mysqlctl_metrics"
	// MetricsConfigKey is the key of the metrics Secret: the exporter's
	// option file, with the account's password, the only place it is kept.
	MetricsConfigKey = "my.cnf"
	// mountMetrics is where the exporter reads it.
	mountMetrics  = "/etc/mysqlctl/metrics"
	volumeMetrics = "metrics-config"
	// mountMetricsCA holds the CA certificate alone: the exporter has no
	// use for the servers' key.
	mountMetricsCA  = "/etc/mysqlctl/metrics-ca"
	volumeMetricsCA = "metrics-ca"
)

// MetricsSecretName is the Secret of the exporter's option file.
func MetricsSecretName(name string) string { return name + "-metrics" }

// WantsMetrics tells whether the server pods run the exporter.
func (s Spec) WantsMetrics() bool { return s.Metrics == "true" }

func (s Spec) validateMetrics() error {
	if s.Metrics != "true" && s.Metrics != "false" {
		return InvalidSpec("metrics", "metrics %q is neither true nor false: pass --metrics true or --metrics false", s.Metrics)
	}
	if _, ok := CanonicalImage(s.MetricsImage); !ok {
		return InvalidSpec("metricsImage", "metricsImage %q is not an image reference: pass e.g. --metrics-image %s", s.MetricsImage, DefaultMetricsImage)
	}
	if s.MetricsFrom != "" && len(validation.IsDNS1123Label(s.MetricsFrom)) > 0 {
		return InvalidSpec("metricsFrom", "metricsFrom %q is not a namespace name: pass the namespace Prometheus runs in, e.g. --metrics-from monitoring", s.MetricsFrom)
	}
	return nil
}

// MetricsConfig is the exporter's option file for password. It logs in
// over the pod's loopback with TLS, verifying the server's certificate
// (which names 127.0.0.1) against the cluster's CA: every flavour's image
// has its own socket path, and a tls: required server refuses plain TCP.
func MetricsConfig(password string) []byte {
	return fmt.Appendf(nil, "[client]\nuser=%s\npassword=%s\nhost=127.0.0.1\nport=%d\nssl-ca=%s\n",
		MetricsUser, password, PortMySQL, path.Join(mountMetricsCA, TLSKeyCA))
}

// MetricsPassword reads the password back from the exporter's option
// file, or "" when it has none.
func MetricsPassword(config []byte) string {
	for _, line := range strings.Split(string(config), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "password="); ok {
			return v
		}
	}
	return ""
}

// NewMetricsConfig makes the metrics Secret's data, with a new password.
func NewMetricsConfig() (map[string][]byte, error) {
	pw, err := randomPassword(passwordLength)
	if err != nil {
		return nil, fmt.Errorf("generate the exporter's password: %w", err)
	}
	return map[string][]byte{MetricsConfigKey: MetricsConfig(string(pw))}, nil
}
