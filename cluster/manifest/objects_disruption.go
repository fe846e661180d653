package manifest

import (
	"k8s.io/apimachinery/pkg/util/intstr"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
)

// DisruptionBudgetName is the name of the cluster's PodDisruptionBudget.
func DisruptionBudgetName(name string) string { return name }

// buildDisruptionBudget lets a voluntary disruption (a node drain, an
// eviction) take one server at a time: the Eviction API refuses the next
// one until the first is back and Ready. Deleting a pod directly is not
// covered: that is not a disruption Kubernetes can police.
func buildDisruptionBudget(spec Spec, ns string) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	pdb := policyv1ac.PodDisruptionBudget(DisruptionBudgetName(spec.Name), ns).
		WithLabels(Labels(spec.Name, ComponentDatabase)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMaxUnavailable(intstr.FromInt32(1)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(spec.Name))))
	if ns == "" {
		pdb.Namespace = nil
	}
	return pdb
}
