package kube

import (
	"errors"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

const testNS = "db"

// ours are the labels of an object mysqlctl manages.
func ours() map[string]string { return map[string]string{ManagedByLabel: ManagedByValue} }

// newTestClient is a Client over a fake clientset holding objs.
func newTestClient(t *testing.T, objs ...runtime.Object) (*Client, *fake.Clientset) {
	t.Helper()
	cs := fake.NewClientset(objs...)
	return NewClientFromInterface(cs, testNS), cs
}

// forbid is a reactor that answers like RBAC denying the request.
func forbid(a k8stesting.Action) (bool, runtime.Object, error) {
	gr := schema.GroupResource{Group: a.GetResource().Group, Resource: a.GetResource().Resource}
	return true, nil, apierrors.NewForbidden(gr, "", errors.New("denied"))
}

func meta(name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: testNS, Labels: labels}
}

// statefulSet is a StatefulSet "mysql" selecting app=mysql.
func statefulSet(replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: meta("mysql", ours()),
		Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "mysql"}},
		},
	}
}

// pod builds a pod of StatefulSet "mysql" with the given status.
func pod(name string, status corev1.PodStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: meta(name, map[string]string{"app": "mysql"}),
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "clone-from-primary", Image: "mysqlctl/clone:1"}},
			Containers:     []corev1.Container{{Name: "mysql", Image: "mysql:8.4"}},
		},
		Status: status,
	}
}

func cond(t corev1.PodConditionType, s corev1.ConditionStatus, reason, msg string) corev1.PodCondition {
	return corev1.PodCondition{Type: t, Status: s, Reason: reason, Message: msg}
}

// readyStatus is a running, ready pod whose init container finished.
func readyStatus() corev1.PodStatus {
	return corev1.PodStatus{
		Phase: corev1.PodRunning,
		Conditions: []corev1.PodCondition{
			cond(corev1.PodScheduled, corev1.ConditionTrue, "", ""),
			cond(corev1.PodReady, corev1.ConditionTrue, "", ""),
		},
		InitContainerStatuses: []corev1.ContainerStatus{{Name: "clone-from-primary",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "mysql", Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}},
	}
}

// waitingStatus is a scheduled pod whose container (init or main) waits.
func waitingStatus(initContainer bool, reason, msg string) corev1.PodStatus {
	st := corev1.PodStatus{
		Phase:      corev1.PodPending,
		Conditions: []corev1.PodCondition{cond(corev1.PodScheduled, corev1.ConditionTrue, "", "")},
	}
	waiting := corev1.ContainerStatus{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
	if initContainer {
		waiting.Name = "clone-from-primary"
		st.InitContainerStatuses = []corev1.ContainerStatus{waiting}
		return st
	}
	st.InitContainerStatuses = readyStatus().InitContainerStatuses
	waiting.Name = "mysql"
	st.ContainerStatuses = []corev1.ContainerStatus{waiting}
	return st
}

// assertStillWaiting fails if a wait running in the background returned.
func assertStillWaiting(t *testing.T, done <-chan error, why string) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("returned %v before %s", err, why)
	case <-time.After(200 * time.Millisecond):
	}
}

// awaitResult is the result of a wait running in the background.
func awaitResult(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not return")
		return nil
	}
}
