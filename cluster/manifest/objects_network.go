package manifest

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
)

// buildNetworkPolicy lets the cluster's own pods reach each other's server
// (replication) and clone ports, and anyone reach the server port: clients
// come from anywhere, and the clone stream only ever serves peers. It only
// limits what reaches the pods; mysqlctl itself goes through the API
// server (port-forward, exec), which a NetworkPolicy does not govern.
// Nil when the spec does not ask for one.
func buildNetworkPolicy(spec Spec, ns string) *networkingv1ac.NetworkPolicyApplyConfiguration {
	if !spec.WantsNetworkPolicy() {
		return nil
	}
	peers := networkingv1ac.NetworkPolicyIngressRule().
		WithFrom(networkingv1ac.NetworkPolicyPeer().
			WithPodSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(spec.Name)))).
		WithPorts(policyPort(PortMySQL))
	if spec.streamsBackups() {
		peers.WithPorts(policyPort(portClone))
	}
	clients := networkingv1ac.NetworkPolicyIngressRule().WithPorts(policyPort(PortMySQL))
	p := networkingv1ac.NetworkPolicy(NetworkPolicyName(spec.Name), ns).
		WithLabels(Labels(spec.Name, componentNetwork)).
		WithSpec(networkingv1ac.NetworkPolicySpec().
			WithPodSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(spec.Name))).
			WithPolicyTypes("Ingress").
			WithIngress(peers, clients))
	if spec.WantsMetrics() {
		p.Spec.WithIngress(metricsIngress(spec))
	}
	if ns == "" {
		p.Namespace = nil
	}
	return p
}

func policyPort(port int32) *networkingv1ac.NetworkPolicyPortApplyConfiguration {
	return networkingv1ac.NetworkPolicyPort().WithProtocol(corev1.ProtocolTCP).WithPort(intstr.FromInt32(port))
}
