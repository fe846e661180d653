package kube

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// object is what typed clients return: metadata plus a runtime.Object.
type object interface {
	metav1.Object
	runtime.Object
}

// resource is one namespaced kind's typed client reduced to what the
// ownership checks need, so Apply and the Delete methods share them.
type resource struct {
	kind   string // as kubectl prints it: "statefulset"
	ns     string
	get    func(ctx context.Context, name string) (object, error)
	delete func(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

// newResource adapts a typed client's Get and Delete methods.
func newResource[T object](kind, ns string,
	get func(context.Context, string, metav1.GetOptions) (T, error),
	del func(context.Context, string, metav1.DeleteOptions) error,
) resource {
	return resource{
		kind: kind,
		ns:   ns,
		get: func(ctx context.Context, name string) (object, error) {
			obj, err := get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return nil, err // never a typed nil inside a non-nil interface
			}
			return obj, nil
		},
		delete: del,
	}
}

func (c *Client) statefulSets(ns string) resource {
	api := c.Clientset.AppsV1().StatefulSets(ns)
	return newResource("statefulset", ns, api.Get, api.Delete)
}

func (c *Client) services(ns string) resource {
	api := c.Clientset.CoreV1().Services(ns)
	return newResource("service", ns, api.Get, api.Delete)
}

func (c *Client) configMaps(ns string) resource {
	api := c.Clientset.CoreV1().ConfigMaps(ns)
	return newResource("configmap", ns, api.Get, api.Delete)
}

func (c *Client) secrets(ns string) resource {
	api := c.Clientset.CoreV1().Secrets(ns)
	return newResource("secret", ns, api.Get, api.Delete)
}

func (c *Client) pvcs(ns string) resource {
	api := c.Clientset.CoreV1().PersistentVolumeClaims(ns)
	return newResource("persistentvolumeclaim", ns, api.Get, api.Delete)
}

// owned fetches name and checks mysqlctl manages it. It returns (nil, nil)
// when the object does not exist; hint ends the ErrNotManaged sentence.
func (r resource) owned(ctx context.Context, name, hint string) (object, error) {
	obj, err := r.get(ctx, name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s/%s: %w", r.kind, r.ns, name, err)
	}
	if err := checkManaged(r.kind, obj, hint); err != nil {
		return nil, err
	}
	return obj, nil
}

// checkManaged returns an ErrNotManaged sentence unless obj carries
// app.kubernetes.io/managed-by=mysqlctl.
func checkManaged(kind string, obj metav1.Object, hint string) error {
	manager, ok := obj.GetLabels()[ManagedByLabel]
	if ok && manager == ManagedByValue {
		return nil
	}
	by := ""
	if ok {
		by = fmt.Sprintf(" (%s=%s)", ManagedByLabel, manager)
	}
	return newError(ErrNotManaged, nil, "%s/%s in namespace %s exists and is %s%s: %s",
		kind, obj.GetName(), obj.GetNamespace(), ErrNotManaged, by, hint)
}
