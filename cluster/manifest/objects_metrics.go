package manifest

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
)

// Requests of the exporter: it answers a scrape every 30 s or so.
const (
	metricsCPURequest    = "10m"
	metricsMemoryRequest = "32Mi"
)

// metricsContainer runs the upstream mysqld_exporter with its default
// collectors and the binary logs' sizes. It has no probes: an exporter
// that fails must never take its server out of the Services; Prometheus
// sees it as mysql_up 0 or a failed scrape.
func metricsContainer(spec Spec) *corev1ac.ContainerApplyConfiguration {
	return corev1ac.Container().
		WithName(ContainerMetrics).
		WithImage(spec.MetricsImage).
		WithImagePullPolicy(corev1.PullIfNotPresent).
		WithArgs(
			"--config.my-cnf="+mountMetrics+"/"+MetricsConfigKey,
			"--web.listen-address=:"+strconv.Itoa(PortMetrics),
			"--collect.binlog_size",
		).
		WithPorts(corev1ac.ContainerPort().WithName(portNameMetrics).WithContainerPort(PortMetrics).WithProtocol(corev1.ProtocolTCP)).
		WithResources(resourceRequests(metricsCPURequest, metricsMemoryRequest)).
		WithVolumeMounts(
			volumeMount(volumeMetrics, mountMetrics, true),
			volumeMount(volumeMetricsCA, mountMetricsCA, true),
		).
		WithSecurityContext(containerSecurityContext())
}

// metricsVolumes are the exporter's option file, from its own Secret,
// which no other container mounts, and the CA certificate it verifies the
// server with.
func metricsVolumes(name string) []*corev1ac.VolumeApplyConfiguration {
	return []*corev1ac.VolumeApplyConfiguration{
		corev1ac.Volume().WithName(volumeMetrics).WithSecret(corev1ac.SecretVolumeSource().
			WithSecretName(MetricsSecretName(name)).WithDefaultMode(secretFileMode)),
		corev1ac.Volume().WithName(volumeMetricsCA).WithSecret(corev1ac.SecretVolumeSource().
			WithSecretName(TLSSecretName(name)).WithDefaultMode(secretFileMode).
			WithItems(corev1ac.KeyToPath().WithKey(TLSKeyCA).WithPath(TLSKeyCA))),
	}
}

// buildMetricsSecret is the metrics Secret without data: up creates it
// once with NewMetricsConfig and never overwrites it, like the
// credentials Secret. Nil when the spec has no metrics.
func buildMetricsSecret(spec Spec, ns string) *corev1ac.SecretApplyConfiguration {
	if !spec.WantsMetrics() {
		return nil
	}
	return credentialsSecret(spec.Name, MetricsSecretName(spec.Name), ns,
		"the metrics exporter's option file, with a random password generated once by mysqlctl up")
}

// metricsIngress admits scrapes of the exporter's port from metricsFrom's
// namespace, or from anywhere when it names none (like the server port).
func metricsIngress(spec Spec) *networkingv1ac.NetworkPolicyIngressRuleApplyConfiguration {
	rule := networkingv1ac.NetworkPolicyIngressRule().WithPorts(policyPort(PortMetrics))
	if spec.MetricsFrom != "" {
		rule.WithFrom(networkingv1ac.NetworkPolicyPeer().
			WithNamespaceSelector(metav1ac.LabelSelector().
				WithMatchLabels(map[string]string{corev1.LabelMetadataName: spec.MetricsFrom})))
	}
	return rule
}
