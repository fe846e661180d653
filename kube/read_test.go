package kube

import (
	"context"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestOrdinal(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"mysql-0", 0, true}, {"my-sql-12", 12, true}, {"mysql", 0, false}, {"mysql-", 0, false}, {"mysql-x", 0, false}, {"mysql--1", 1, true},
	} {
		if n, ok := Ordinal(tc.name); n != tc.n || ok != tc.ok {
			t.Errorf("Ordinal(%q) = %d, %v; want %d, %v", tc.name, n, ok, tc.n, tc.ok)
		}
	}
}

func TestListPodsSortsByOrdinal(t *testing.T) {
	var objs []corev1.Pod
	for _, n := range []string{"mysql-10", "mysql-2", "zeta", "mysql-0", "mysql-1", "alpha"} {
		objs = append(objs, *pod(n, corev1.PodStatus{}))
	}
	c, _ := newTestClient(t, &corev1.PodList{Items: objs}, &corev1.Pod{ObjectMeta: meta("unrelated-0", map[string]string{"app": "x"})})
	pods, err := c.ListPods(context.Background(), "app=mysql")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pods {
		got = append(got, p.Name)
	}
	want := []string{"mysql-0", "mysql-1", "mysql-2", "mysql-10", "alpha", "zeta"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestGetSecretOfNoneIsNil(t *testing.T) {
	c, _ := newTestClient(t)
	s, err := c.GetSecret(context.Background(), "nope")
	if s != nil || err != nil {
		t.Errorf("GetSecret of a missing Secret = %v, %v; want nil, nil", s, err)
	}
}

func TestListPVCsSortsByOrdinal(t *testing.T) {
	mine := map[string]string{"app": "mysql"}
	c, _ := newTestClient(t,
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-10", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-9", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-0", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-other-0", map[string]string{"app": "other"})})
	pvcs, err := c.ListPVCs(context.Background(), "app=mysql")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pvcs {
		got = append(got, p.Name)
	}
	if want := []string{"data-mysql-0", "data-mysql-9", "data-mysql-10"}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	if _, err := c.ListPVCs(context.Background(), "app in ("); err == nil {
		t.Error("invalid selector: want an error")
	}
}

// ListStatefulSets keeps to its namespace and selector, sorted by name.
func TestListStatefulSets(t *testing.T) {
	elsewhere := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "aaa", Namespace: "other", Labels: ours()}}
	c, _ := newTestClient(t,
		&appsv1.StatefulSet{ObjectMeta: meta("orders", ours())},
		&appsv1.StatefulSet{ObjectMeta: meta("helm-db", map[string]string{ManagedByLabel: "Helm"})},
		&appsv1.StatefulSet{ObjectMeta: meta("billing", ours())},
		elsewhere)
	sets, err := c.ListStatefulSets(context.Background(), ManagedByLabel+"="+ManagedByValue)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sets {
		got = append(got, s.Name)
	}
	if want := []string{"billing", "orders"}; !slices.Equal(got, want) {
		t.Errorf("statefulsets = %v, want %v", got, want)
	}
	if _, err := c.ListStatefulSets(context.Background(), "app in ("); err == nil {
		t.Error("invalid selector: want an error")
	}
}

func TestGetStatefulSet(t *testing.T) {
	c, cs := newTestClient(t, statefulSet(3))
	ctx := context.Background()
	sts, err := c.GetStatefulSet(ctx, "mysql")
	if err != nil || sts == nil || *sts.Spec.Replicas != 3 {
		t.Fatalf("existing: %v, %v; want the statefulset", sts, err)
	}
	if sts, err := c.GetStatefulSet(ctx, "nope"); sts != nil || err != nil {
		t.Errorf("missing: %v, %v; want nil, nil", sts, err)
	}
	cs.PrependReactor("get", "statefulsets", forbid)
	if sts, err := c.GetStatefulSet(ctx, "mysql"); sts != nil || !apierrors.IsForbidden(err) {
		t.Errorf("forbidden: %v, %v; want a Forbidden error", sts, err)
	}
}

func TestExists(t *testing.T) {
	c, cs := newTestClient(t,
		statefulSet(1),
		&corev1.Service{ObjectMeta: meta("mysql", nil)},
		&corev1.ConfigMap{ObjectMeta: meta("mysql", nil)},
		&corev1.Secret{ObjectMeta: meta("mysql", nil)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-0", nil)},
		pod("mysql-0", corev1.PodStatus{}),
		&policyv1.PodDisruptionBudget{ObjectMeta: meta("mysql", nil)},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere", Namespace: "other"}},
	)
	ctx := context.Background()
	for _, tc := range []struct {
		kind, name string
		want       bool
	}{
		{KindStatefulSet, "mysql", true}, {KindStatefulSet, "nope", false},
		{KindService, "mysql", true}, {KindService, "nope", false},
		{KindConfigMap, "mysql", true}, {KindConfigMap, "elsewhere", false},
		{KindSecret, "mysql", true}, {KindSecret, "nope", false},
		{KindPVC, "data-mysql-0", true}, {KindPVC, "data-mysql-1", false},
		{KindPod, "mysql-0", true}, {KindPod, "mysql-1", false},
		{KindPodDisruptionBudget, "mysql", true}, {KindPodDisruptionBudget, "nope", false},
	} {
		if got, err := c.Exists(ctx, tc.kind, tc.name); got != tc.want || err != nil {
			t.Errorf("Exists(%s, %s) = %v, %v; want %v", tc.kind, tc.name, got, err, tc.want)
		}
	}
	if _, err := c.Exists(ctx, "deployment", "mysql"); err == nil || !strings.Contains(err.Error(), `unknown kind "deployment"`) {
		t.Errorf("unknown kind: err = %v", err)
	}
	cs.PrependReactor("get", "secrets", forbid)
	if got, err := c.Exists(ctx, KindSecret, "nope"); got || !apierrors.IsForbidden(err) {
		t.Errorf("forbidden: %v, %v; want a Forbidden error, not false", got, err)
	}
}

// The three getters share getOrNil: none is (nil, nil), a refusal names
// the kind and the object.
func TestGettersOfNoneAndRefusals(t *testing.T) {
	ctx := context.Background()
	c, cs := newTestClient(t)
	getters := []struct {
		resource, want string
		get            func() (bool, error) // whether an object came back
	}{
		{"secrets", "get secret db/x: ", func() (bool, error) { o, err := c.GetSecret(ctx, "x"); return o != nil, err }},
		{"configmaps", "get configmap db/x: ", func() (bool, error) { o, err := c.GetConfigMap(ctx, "x"); return o != nil, err }},
		{"statefulsets", "get statefulset db/x: ", func() (bool, error) { o, err := c.GetStatefulSet(ctx, "x"); return o != nil, err }},
	}
	for _, g := range getters {
		if got, err := g.get(); got || err != nil {
			t.Errorf("%s: missing: %v, %v; want nil, nil", g.resource, got, err)
		}
		cs.PrependReactor("get", g.resource, forbid)
		got, err := g.get()
		if got || !apierrors.IsForbidden(err) || !strings.HasPrefix(err.Error(), g.want) {
			t.Errorf("%s: forbidden: %v, %v; want a Forbidden error starting %q", g.resource, got, err, g.want)
		}
	}
}
