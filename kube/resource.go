package kube

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The kinds kube handles, as kubectl prints them ("statefulset/mysql
// created"); Exists and WaitGone take them, and Result.Kind holds them.
const (
	KindStatefulSet         = "statefulset"
	KindService             = "service"
	KindConfigMap           = "configmap"
	KindSecret              = "secret"
	KindPVC                 = "persistentvolumeclaim"
	KindPod                 = "pod"
	KindPodDisruptionBudget = "poddisruptionbudget"
	KindNetworkPolicy       = "networkpolicy"
)

const (
	// FieldManager is the field manager of every object mysqlctl writes
	// (server-side apply, create, patch), so ownership of fields is stable
	// across runs.
	FieldManager = "mysqlctl"
	// ManagedByLabel marks objects mysqlctl created; Apply refuses to take
	// over, and the Delete methods refuse to remove, objects without it.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is ManagedByLabel's value on mysqlctl's objects.
	ManagedByValue = "mysqlctl"
)

// object is what typed clients return: metadata plus a runtime.Object.
type object interface {
	metav1.Object
	runtime.Object
}

// resource is one namespaced kind's typed client reduced to what Apply,
// the Delete methods, Exists and WaitGone need, so they share one table of
// kinds (resourceOf) and one ownership check (owned).
type resource struct {
	kind   string // one of the Kind constants
	ns     string
	get    func(ctx context.Context, name string) (object, error)
	list   func(ctx context.Context, selector string) ([]string, error) // names
	delete func(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

// resourceOf is the one place that maps a Kind constant to its typed client.
func (c *Client) resourceOf(kind, ns string) (resource, error) {
	core := c.clientset.CoreV1()
	switch kind {
	case KindStatefulSet:
		api := c.clientset.AppsV1().StatefulSets(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindService:
		api := core.Services(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindConfigMap:
		api := core.ConfigMaps(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindSecret:
		api := core.Secrets(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindPVC:
		api := core.PersistentVolumeClaims(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindPod:
		api := core.Pods(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindPodDisruptionBudget:
		api := c.clientset.PolicyV1().PodDisruptionBudgets(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	case KindNetworkPolicy:
		api := c.clientset.NetworkingV1().NetworkPolicies(ns)
		return newResource(kind, ns, api.Get, api.List, api.Delete), nil
	}
	return c.customResource(kind, ns)
}

// newResource adapts a typed client's Get, List and Delete methods.
func newResource[T object, L runtime.Object](kind, ns string,
	get func(context.Context, string, metav1.GetOptions) (T, error),
	list func(context.Context, metav1.ListOptions) (L, error),
	del func(context.Context, string, metav1.DeleteOptions) error,
) resource {
	return resource{
		kind: kind,
		ns:   ns,
		get: func(ctx context.Context, name string) (object, error) {
			return nonNil(get(ctx, name, metav1.GetOptions{}))
		},
		list: func(ctx context.Context, selector string) ([]string, error) {
			l, err := list(ctx, metav1.ListOptions{LabelSelector: selector})
			if err != nil {
				return nil, err
			}
			var names []string
			err = apimeta.EachListItem(l, func(o runtime.Object) error {
				m, err := apimeta.Accessor(o)
				if err == nil {
					names = append(names, m.GetName())
				}
				return err
			})
			return names, err
		},
		delete: del,
	}
}

// nonNil keeps a typed nil pointer out of the object interface on error.
func nonNil[T object](obj T, err error) (object, error) {
	if err != nil {
		return nil, err
	}
	return obj, nil
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
	if err := CheckManaged(r.kind, obj, hint); err != nil {
		return nil, err
	}
	return obj, nil
}

// CheckManaged returns an ErrNotManaged sentence unless obj carries
// app.kubernetes.io/managed-by=mysqlctl: "statefulset/mysql in namespace db
// exists and is not managed by mysqlctl (app.kubernetes.io/managed-by=Helm):
// <hint>". kind is one of the Kind constants; hint is the next step.
func CheckManaged(kind string, obj metav1.Object, hint string) error {
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

// LabelsOf returns the labels of the object kind/name in c.Namespace, and
// false when there is none.
func (c *Client) LabelsOf(ctx context.Context, kind, name string) (map[string]string, bool, error) {
	r, err := c.resourceOf(kind, c.namespace)
	if err != nil {
		return nil, false, err
	}
	obj, err := r.get(ctx, name)
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get %s %s/%s: %w", kind, c.namespace, name, err)
	}
	return obj.GetLabels(), true, nil
}
