package manifest

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
)

// The Eviction API refuses a pod that two budgets select, so every pod
// must have exactly one: the primary its own, which lets nothing go, the
// replicas one that lets one go at a time. Both count only the pods they
// select (minAvailable: the disruption controller counts maxUnavailable
// against the StatefulSet's scale).
func TestEveryPodHasOneDisruptionBudget(t *testing.T) {
	o := &Objects{}
	o.PointAt("mysql", "ns", "mysql-1", 3)
	budgets := map[string]*policyv1ac.PodDisruptionBudgetApplyConfiguration{
		*o.DisruptionBudget.Name:        o.DisruptionBudget,
		*o.PrimaryDisruptionBudget.Name: o.PrimaryDisruptionBudget,
	}
	want := map[string]string{"mysql-0": "mysql", "mysql-1": "mysql-primary", "mysql-2": "mysql"}
	for pod, budget := range want {
		podLabels := labels.Set(selectorLabels("mysql"))
		podLabels[LabelPodName] = pod
		var selecting []string
		for name, pdb := range budgets {
			if selectorOf(t, pdb).Matches(podLabels) {
				selecting = append(selecting, name)
			}
		}
		if len(selecting) != 1 || selecting[0] != budget {
			t.Errorf("%s is selected by %v, want only %s", pod, selecting, budget)
		}
	}
	if o.PrimaryDisruptionBudget.Spec.MaxUnavailable != nil || o.PrimaryDisruptionBudget.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("the primary's budget %+v, want minAvailable 1 of its one pod", o.PrimaryDisruptionBudget.Spec)
	}
	for servers, want := range map[int32]int{1: 0, 2: 0, 3: 1, 5: 3} {
		o.PointAt("mysql", "ns", "mysql-1", servers)
		if o.DisruptionBudget.Spec.MaxUnavailable != nil || o.DisruptionBudget.Spec.MinAvailable.IntValue() != want {
			t.Errorf("%d servers: the replicas' budget %+v, want minAvailable %d", servers, o.DisruptionBudget.Spec, want)
		}
	}
}

func selectorOf(t *testing.T, pdb *policyv1ac.PodDisruptionBudgetApplyConfiguration) labels.Selector {
	t.Helper()
	raw, err := json.Marshal(pdb.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	var ls metav1.LabelSelector
	if err := json.Unmarshal(raw, &ls); err != nil {
		t.Fatal(err)
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}
