package kube

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

func TestEnsureNamespace(t *testing.T) {
	ctx := context.Background()
	existing := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "there"}}
	terminating := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "going"},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	c, cs := newTestClient(t, existing, terminating)

	if res, err := c.EnsureNamespace(ctx, "there", false); err != nil || res.Action != Unchanged {
		t.Errorf("existing: %v, %v; want unchanged", res, err)
	}
	_, err := c.EnsureNamespace(ctx, "missing", false)
	if !errors.Is(err, ErrNamespaceNotFound) {
		t.Fatalf("missing: err = %v, want ErrNamespaceNotFound", err)
	}
	if want := "namespace missing not found: create it or pass --create-namespace"; err.Error() != want {
		t.Errorf("missing: err = %q, want %q", err, want)
	}
	if res, err := c.EnsureNamespace(ctx, "missing", true); err != nil || res.String() != "namespace/missing created" {
		t.Errorf("create: %v, %v; want namespace/missing created", res, err)
	}
	ns, err := cs.CoreV1().Namespaces().Get(ctx, "missing", metav1.GetOptions{})
	if err != nil || ns.Labels[ManagedByLabel] != ManagedByValue {
		t.Errorf("created namespace = %+v, %v; want it labelled managed-by", ns, err)
	}
	if _, err := c.EnsureNamespace(ctx, "going", true); err == nil || !strings.Contains(err.Error(), "being deleted") {
		t.Errorf("terminating: err = %v, want 'being deleted'", err)
	}
}

// A user limited to their namespace cannot read Namespace objects; that
// must not stop them.
func TestEnsureNamespaceForbiddenAssumesItExists(t *testing.T) {
	c, cs := newTestClient(t)
	cs.PrependReactor("get", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, "db", errors.New("no"))
	})
	if _, err := c.EnsureNamespace(context.Background(), "db", false); err != nil {
		t.Errorf("err = %v, want nil", err)
	}
}
