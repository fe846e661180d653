package kube

import (
	"context"
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDeleteOnlyManagedObjects(t *testing.T) {
	ctx := context.Background()
	c, cs := newTestClient(t,
		&appsv1.StatefulSet{ObjectMeta: meta("mysql", ours())},
		&corev1.Service{ObjectMeta: meta("mysql", ours())},
		&corev1.ConfigMap{ObjectMeta: meta("mysql", nil)},
	)
	res, err := c.DeleteStatefulSet(ctx, "mysql")
	if err != nil || res.String() != "statefulset/mysql deleted" {
		t.Errorf("statefulset: %v, %v; want deleted", res, err)
	}
	if _, err := cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("statefulset still there: %v", err)
	}
	res, err = c.DeleteStatefulSet(ctx, "mysql")
	if err != nil || res.String() != "statefulset/mysql not found" {
		t.Errorf("again: %v, %v; want not found", res, err)
	}
	if res, err := c.DeleteService(ctx, "mysql"); err != nil || res.Action != Deleted {
		t.Errorf("service: %v, %v; want deleted", res, err)
	}
	if res, err := c.DeleteSecret(ctx, "nothing"); err != nil || res.Action != NotFound {
		t.Errorf("secret: %v, %v; want not found", res, err)
	}
	_, err = c.DeleteConfigMap(ctx, "mysql")
	if !errors.Is(err, ErrNotManaged) {
		t.Fatalf("foreign configmap: err = %v, want ErrNotManaged", err)
	}
	if _, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "mysql", metav1.GetOptions{}); err != nil {
		t.Errorf("foreign configmap was deleted: %v", err)
	}
}

func TestDeletePVCs(t *testing.T) {
	ctx := context.Background()
	mine := map[string]string{"app": "mysql", ManagedByLabel: ManagedByValue}
	c, cs := newTestClient(t,
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-0", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-1", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-9", map[string]string{"app": "mysql"})},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("other", map[string]string{"app": "other", ManagedByLabel: ManagedByValue})},
	)
	results, err := c.DeletePVCs(ctx, "app=mysql")
	if !errors.Is(err, ErrNotManaged) {
		t.Errorf("err = %v, want ErrNotManaged for data-mysql-9", err)
	}
	if len(results) != 2 || results[0].String() != "persistentvolumeclaim/data-mysql-0 deleted" || results[1].Action != Deleted {
		t.Errorf("results = %v, want data-mysql-0 and -1 deleted", results)
	}
	left, _ := cs.CoreV1().PersistentVolumeClaims(testNS).List(ctx, metav1.ListOptions{})
	var names []string
	for _, p := range left.Items {
		names = append(names, p.Name)
	}
	if len(names) != 2 || names[0] != "data-mysql-9" || names[1] != "other" {
		t.Errorf("left = %v, want the foreign claim and the unselected one", names)
	}
	if results, err := c.DeletePVCs(ctx, "app=none"); err != nil || len(results) != 0 {
		t.Errorf("no match: %v, %v; want nothing", results, err)
	}
	if _, err := c.DeletePVCs(ctx, "app in ("); err == nil {
		t.Error("invalid selector: want an error")
	}
}
