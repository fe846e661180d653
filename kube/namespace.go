package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EnsureNamespace checks that namespace name exists, creating it (labelled
// managed-by=mysqlctl) when create is true. A missing namespace without
// create is ErrNamespaceNotFound. A namespace being deleted is an error,
// because nothing can be created in it.
//
// Users whose RBAC stops at their namespace may not read Namespace objects;
// a Forbidden answer is then taken to mean the namespace exists (Unchanged),
// and later calls report any real problem.
func (c *Client) EnsureNamespace(ctx context.Context, name string, create bool) (Result, error) {
	res := Result{Kind: "namespace", Name: name, Action: Unchanged}
	api := c.Clientset.CoreV1().Namespaces()
	ns, err := api.Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		if ns.Status.Phase == corev1.NamespaceTerminating || ns.DeletionTimestamp != nil {
			return res, fmt.Errorf("namespace %s is being deleted: wait until it is gone or choose another namespace", name)
		}
		return res, nil
	case apierrors.IsForbidden(err) && !create:
		return res, nil
	case apierrors.IsNotFound(err) && !create:
		return res, newError(ErrNamespaceNotFound, err, "namespace %s not found: create it or pass --create-namespace", name)
	case !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err):
		return res, fmt.Errorf("get namespace %s: %w", name, err)
	}
	obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   name,
		Labels: map[string]string{ManagedByLabel: ManagedByValue},
	}}
	_, err = api.Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("create namespace %s: %w", name, err)
	}
	res.Action = Created
	return res, nil
}
