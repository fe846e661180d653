package kube

import (
	"context"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func revisionPod(name, rev string, status corev1.PodStatus) *corev1.Pod {
	p := pod(name, status)
	p.Labels[appsv1.ControllerRevisionHashLabelKey] = rev
	return p
}

// Only a pod that is not Ready, of an older revision, and stuck for good
// is replaced: never a Ready pod, never one of the current revision, never
// one that is merely starting.
func TestHealRolloutReplacesOnlyStuckOldPods(t *testing.T) {
	sts := statefulSet(5)
	sts.Generation, sts.Status.ObservedGeneration, sts.Status.UpdateRevision = 2, 2, "new"
	c, _ := newTestClient(t, sts,
		revisionPod("mysql-0", "old", readyStatus()),
		revisionPod("mysql-1", "new", waitingStatus(false, "ImagePullBackOff", "no such image")),
		revisionPod("mysql-2", "old", waitingStatus(false, "ImagePullBackOff", "no such image")),
		revisionPod("mysql-3", "old", waitingStatus(false, "CrashLoopBackOff", "")),
		revisionPod("mysql-4", "old", waitingStatus(true, "PodInitializing", "")),
		restarted(revisionPod("mysql-5", "old", waitingStatus(true, "RunContainerError", "exec: bash: not found"))),
	)
	replaced, err := c.HealRollout(context.Background(), "mysql")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range replaced {
		names = append(names, r.Pod)
		if r.Problem == nil {
			t.Errorf("%s replaced without a problem", r.Pod)
		}
	}
	if !slices.Equal(names, []string{"mysql-2", "mysql-3", "mysql-5"}) {
		t.Errorf("replaced %v, want mysql-2, mysql-3 and mysql-5", names)
	}
	left, err := c.ListPods(context.Background(), "app=mysql")
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, p := range left {
		kept = append(kept, p.Name)
	}
	if !slices.Equal(kept, []string{"mysql-0", "mysql-1", "mysql-4"}) {
		t.Errorf("pods left %v", kept)
	}
}

// Until the controller has observed the new template, its UpdateRevision
// is the old one: HealRollout must wait rather than judge by it.
func TestHealRolloutWaitsForTheControllerToObserve(t *testing.T) {
	sts := statefulSet(1)
	sts.Generation, sts.Status.ObservedGeneration, sts.Status.UpdateRevision = 2, 1, "old"
	c, _ := newTestClient(t, sts)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.HealRollout(ctx, "mysql"); err == nil {
		t.Error("HealRollout judged pods before the controller observed the template")
	}
}

func TestSchedulableCapacity(t *testing.T) {
	node := func(name string, ready, cordoned bool) *corev1.Node {
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       corev1.NodeSpec{Unschedulable: cordoned},
			Status: corev1.NodeStatus{
				Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}},
				Allocatable: corev1.ResourceList{corev1.ResourceCPU: apiresource.MustParse("2"), corev1.ResourceMemory: apiresource.MustParse("4Gi")},
			},
		}
	}
	c, _ := newTestClient(t, node("a", true, false), node("b", true, true), node("c", false, false), node("d", true, false))
	got, err := c.SchedulableCapacity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Nodes != 2 || got.CPU.Cmp(apiresource.MustParse("4")) != 0 || got.Memory.Cmp(apiresource.MustParse("8Gi")) != 0 {
		t.Errorf("capacity %d nodes, %s CPU, %s memory; want 2 nodes, 4 CPU, 8Gi", got.Nodes, got.CPU.String(), got.Memory.String())
	}
}

// restarted marks every container of p as restarted once: a crash loop
// caught between two attempts.
func restarted(p *corev1.Pod) *corev1.Pod {
	for i := range p.Status.InitContainerStatuses {
		p.Status.InitContainerStatuses[i].RestartCount = 1
	}
	return p
}
