package cluster

import (
	"context"
	"errors"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// namesFixture is cluster mysql of three pods, whose record names mysql-1
// the primary, beside cluster orders (one pod), a StatefulSet of another
// manager and a cluster in another namespace.
func namesFixture() []runtime.Object {
	objs := clusterObjects(3)
	for _, o := range objs {
		if cm, ok := o.(*corev1.ConfigMap); ok && cm.Name == manifest.StateConfigMapName("mysql") {
			cm.Data[StateKeyPrimary] = "mysql-1"
		}
	}
	orders := metav1.ObjectMeta{Name: "orders", Namespace: testNS, Labels: manifest.Labels("orders", manifest.ComponentDatabase)}
	objs = append(objs, &appsv1.StatefulSet{ObjectMeta: orders})
	orders.Name = manifest.PodName("orders", 0)
	objs = append(objs, &corev1.Pod{ObjectMeta: orders})
	helm := metav1.ObjectMeta{Name: "legacy", Namespace: testNS, Labels: manifest.Labels("legacy", manifest.ComponentDatabase)}
	helm.Labels[manifest.LabelManagedBy] = "Helm"
	objs = append(objs, &appsv1.StatefulSet{ObjectMeta: helm})
	away := metav1.ObjectMeta{Name: "away", Namespace: "elsewhere", Labels: manifest.Labels("away", manifest.ComponentDatabase)}
	return append(objs, &appsv1.StatefulSet{ObjectMeta: away})
}

func TestPodAndReplicaNames(t *testing.T) {
	k := kube.NewClientFromInterface(fake.NewClientset(namesFixture()...), testNS)
	ctx := context.Background()
	pods, err := New(k, "mysql", Options{}).PodNames(ctx)
	if want := []string{"mysql-0", "mysql-1", "mysql-2"}; err != nil || !slices.Equal(pods, want) {
		t.Errorf("PodNames = %v, %v; want %v", pods, err, want)
	}
	replicas, err := New(k, "mysql", Options{}).ReplicaNames(ctx)
	if want := []string{"mysql-0", "mysql-2"}; err != nil || !slices.Equal(replicas, want) {
		t.Errorf("ReplicaNames = %v, %v; want %v (all but the recorded primary)", replicas, err, want)
	}
	// Without a record no pod is the primary, ordinal 0 no more than any.
	replicas, err = New(k, "orders", Options{}).ReplicaNames(ctx)
	if want := []string{"orders-0"}; err != nil || !slices.Equal(replicas, want) {
		t.Errorf("ReplicaNames of orders = %v, %v; want %v", replicas, err, want)
	}
	pods, err = New(k, "nothing", Options{}).PodNames(ctx)
	if err != nil || len(pods) != 0 {
		t.Errorf("PodNames of a missing cluster = %v, %v; want none", pods, err)
	}
}

func TestClusterNames(t *testing.T) {
	k := kube.NewClientFromInterface(fake.NewClientset(namesFixture()...), testNS)
	names, err := New(k, "", Options{}).ClusterNames(context.Background())
	if want := []string{"mysql", "orders"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("ClusterNames = %v, %v; want %v", names, err, want)
	}
}

// A refused list is an error, not an empty answer.
func TestNamesReportListErrors(t *testing.T) {
	cs := fake.NewClientset(namesFixture()...)
	cs.PrependReactor("list", "*", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("forbidden")
	})
	k := kube.NewClientFromInterface(cs, testNS)
	if names, err := New(k, "", Options{}).ClusterNames(context.Background()); err == nil {
		t.Errorf("ClusterNames = %v, want an error", names)
	}
	if names, err := New(k, "mysql", Options{}).ReplicaNames(context.Background()); err == nil {
		t.Errorf("ReplicaNames = %v, want an error", names)
	}
}
