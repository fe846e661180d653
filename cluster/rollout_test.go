package cluster

import (
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// The rollout is held below the primary only where there is a running
// cluster with a replica to hand the writes to, and something to roll:
// a changed template, or a rollout an earlier up left unfinished.
func TestHoldRolloutBelowThePrimary(t *testing.T) {
	running := plan{spec: manifest.Spec{Name: "mysql", Replicas: 3}, primary: "mysql-1", primaryRecorded: true, liveReplicas: 3, liveTemplate: "old"}
	for _, tc := range []struct {
		name     string
		change   func(*upRun)
		wantHold bool
	}{
		{"a changed template", func(*upRun) {}, true},
		{"the same template", func(r *upRun) { r.plan.liveTemplate = "" }, false},
		{"the same template, a rollout left unfinished", func(r *upRun) { r.plan.liveTemplate, r.plan.rolloutPending = "", true }, true},
		{"asked to restart the primary", func(r *upRun) { r.restartPrimary = true }, false},
		{"a single server", func(r *upRun) { r.plan.liveReplicas, r.plan.spec.Replicas = 1, 1 }, false},
		{"a new cluster", func(r *upRun) { r.plan.liveReplicas, r.plan.primaryRecorded = 0, false }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objects, err := manifest.BuildObjects(manifest.DefaultSpec(), testNS)
			if err != nil {
				t.Fatal(err)
			}
			run := &upRun{plan: running, objects: objects}
			tc.change(run)
			if run.plan.liveTemplate == "" { // "the same": what the stamp will say
				digest, err := objects.StampTemplate()
				if err != nil {
					t.Fatal(err)
				}
				run.plan.liveTemplate = digest
			}
			if err := (&Cluster{}).holdRolloutStep(t.Context(), run); err != nil {
				t.Fatal(err)
			}
			partition := *objects.StatefulSet.Spec.UpdateStrategy.RollingUpdate.Partition
			if run.primaryLast != tc.wantHold || (tc.wantHold && partition != 2) || (!tc.wantHold && partition != 0) {
				t.Errorf("hold %t, partition %d; want hold %t (partition 2 above mysql-1, else 0)", run.primaryLast, partition, tc.wantHold)
			}
			if objects.StatefulSet.Annotations[manifest.AnnotationTemplateHash] == "" {
				t.Error("the template's digest is not stamped on the StatefulSet")
			}
		})
	}
}
