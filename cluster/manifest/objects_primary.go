package manifest

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// PrimaryServiceName is the Service that always reaches the recorded
// primary: the cluster's write endpoint.
func PrimaryServiceName(name string) string { return name + "-primary" }

// LabelPodName is the label the StatefulSet controller puts on each of its
// pods, with the pod's name: the write Service selects the primary by it,
// so it follows the pod through every re-creation with nothing of ours
// running.
const LabelPodName = appsv1.StatefulSetPodNameLabel

// BuildPrimaryService selects pod primary of the cluster. It only routes to
// it while it is ready, and the readiness probe of a server that
// replicates from nobody passes only while it is writable.
func BuildPrimaryService(name, ns, primary string) *corev1ac.ServiceApplyConfiguration {
	selector := primarySelector(name, primary)
	s := corev1ac.Service(PrimaryServiceName(name), ns).
		WithLabels(Labels(name, ComponentDatabase)).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(selector).
			WithPorts(servicePort(portNameMySQL, PortMySQL)))
	if ns == "" {
		s.Namespace = nil
	}
	return s
}

// primarySelector selects pod primary of cluster name.
func primarySelector(name, primary string) map[string]string {
	selector := selectorLabels(name)
	selector[LabelPodName] = primary
	return selector
}

// PrimaryObjects are the objects that name the recorded primary of a
// cluster of servers: the write Service and the two disruption budgets. up
// builds them from the record, and a role change applies them once the
// record names the new primary; scale applies the replicas' budget, whose
// count changes with it.
func PrimaryObjects(name, ns, primary string, servers int32) []Object {
	o := &Objects{}
	o.PointAt(name, ns, primary, servers)
	return []Object{o.PrimaryService, o.PrimaryDisruptionBudget, o.DisruptionBudget}
}

// PointAt makes the objects that name the recorded primary name primary.
func (o *Objects) PointAt(name, ns, primary string, servers int32) {
	o.PrimaryService = BuildPrimaryService(name, ns, primary)
	o.PrimaryDisruptionBudget = buildPrimaryDisruptionBudget(name, ns, primary)
	o.DisruptionBudget = buildDisruptionBudget(name, ns, primary, servers)
}
