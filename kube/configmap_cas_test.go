package kube

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

// A new ConfigMap is created (a second create loses the race), an existing
// one is replaced whole (a key left out goes), and an update the API server
// refuses as stale is a lost race too.
func TestReplaceConfigMap(t *testing.T) {
	ctx := context.Background()
	c, cs := newTestClient(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "rec"}, Data: map[string]string{"a": "1", "b": "2"}}
	written, res, err := c.ReplaceConfigMap(ctx, cm, true)
	if err != nil || res.Action != Created || written.Labels[ManagedByLabel] != ManagedByValue {
		t.Fatalf("create: %v %v %v", written, res, err)
	}
	if _, _, err := c.ReplaceConfigMap(ctx, cm, true); !IsLostRace(err) {
		t.Errorf("a second create: %v, want a lost race", err)
	}
	next := written.DeepCopy()
	next.Data = map[string]string{"a": "3"}
	if _, res, err := c.ReplaceConfigMap(ctx, next, false); err != nil || res.Action != Configured {
		t.Fatalf("update: %v %v", res, err)
	}
	got, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "rec", metav1.GetOptions{})
	if err != nil || len(got.Data) != 1 || got.Data["a"] != "3" {
		t.Errorf("after the update: %v %v, want only a=3", got.Data, err)
	}
	cs.PrependReactor("update", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "rec", nil)
	})
	if _, _, err := c.ReplaceConfigMap(ctx, next, false); !IsLostRace(err) {
		t.Errorf("a stale update: %v, want a lost race", err)
	}
}
