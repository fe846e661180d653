package manifest

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
)

// DisruptionBudgetName is the PodDisruptionBudget of the cluster's
// replicas.
func DisruptionBudgetName(name string) string { return name }

// PrimaryDisruptionBudgetName is the PodDisruptionBudget of the recorded
// primary.
func PrimaryDisruptionBudgetName(name string) string { return name + "-primary" }

// buildDisruptionBudget lets a voluntary disruption (a node drain, an
// eviction) take one replica at a time: of the servers-1 replicas,
// servers-2 stay available, and the Eviction API refuses the next one until
// the first is back and Ready. The recorded primary is left to its own
// budget: the Eviction API refuses a pod two budgets select. minAvailable,
// not maxUnavailable: the disruption controller counts a maxUnavailable
// against the StatefulSet's whole scale, which would count the primary as
// a replica away. Deleting a pod directly is not covered: that is not a
// disruption Kubernetes can police.
func buildDisruptionBudget(name, ns, primary string, servers int32) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	selector := metav1ac.LabelSelector().
		WithMatchLabels(selectorLabels(name)).
		WithMatchExpressions(metav1ac.LabelSelectorRequirement().
			WithKey(LabelPodName).
			WithOperator(metav1.LabelSelectorOpNotIn).
			WithValues(primary))
	return disruptionBudget(DisruptionBudgetName(name), name, ns, max(servers-2, 0), selector)
}

// buildPrimaryDisruptionBudget lets no voluntary disruption take the
// recorded primary: a node drain waits on it, retrying, until a switchover
// hands the writes to a replica (switchover and promote point this budget
// at the new primary), and the old primary is then evicted as a replica.
// Nothing of ours runs during a drain, so the drain itself cannot switch
// over; what it can do is wait rather than kill a writable server.
func buildPrimaryDisruptionBudget(name, ns, primary string) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	selector := metav1ac.LabelSelector().WithMatchLabels(primarySelector(name, primary))
	return disruptionBudget(PrimaryDisruptionBudgetName(name), name, ns, 1, selector)
}

func disruptionBudget(pdbName, name, ns string, minAvailable int32, selector *metav1ac.LabelSelectorApplyConfiguration) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	pdb := policyv1ac.PodDisruptionBudget(pdbName, ns).
		WithLabels(Labels(name, ComponentDatabase)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMinAvailable(intstr.FromInt32(minAvailable)).
			WithSelector(selector))
	if ns == "" {
		pdb.Namespace = nil
	}
	return pdb
}
