package kube

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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

func TestGetSecretKeepsNotFound(t *testing.T) {
	c, _ := newTestClient(t)
	_, err := c.GetSecret(context.Background(), "nope")
	if !apierrors.IsNotFound(err) {
		t.Errorf("err = %v, want NotFound through the wrapping", err)
	}
}

func TestPodLogsTail(t *testing.T) {
	c, _ := newTestClient(t, pod("mysql-0", corev1.PodStatus{}))
	lines, err := c.PodLogsTail(context.Background(), "mysql-0", "mysql", 10, false)
	if err != nil {
		t.Fatal(err)
	}
	// The fake clientset always answers "fake logs".
	if !slices.Equal(lines, []string{"fake logs"}) {
		t.Errorf("lines = %q", lines)
	}
}
