package kube

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// hintDelete ends the ErrNotManaged sentence when a Delete meets a foreign object.
const hintDelete = "refusing to delete it"

// DeleteStatefulSet deletes StatefulSet name in c.Namespace; its pods are
// removed by the garbage collector afterwards (see WaitPodsGone).
func (c *Client) DeleteStatefulSet(ctx context.Context, name string) (Result, error) {
	return deleteOwned(ctx, c.statefulSets(c.Namespace), name)
}

// DeleteService deletes Service name in c.Namespace.
func (c *Client) DeleteService(ctx context.Context, name string) (Result, error) {
	return deleteOwned(ctx, c.services(c.Namespace), name)
}

// DeleteConfigMap deletes ConfigMap name in c.Namespace.
func (c *Client) DeleteConfigMap(ctx context.Context, name string) (Result, error) {
	return deleteOwned(ctx, c.configMaps(c.Namespace), name)
}

// DeleteSecret deletes Secret name in c.Namespace.
func (c *Client) DeleteSecret(ctx context.Context, name string) (Result, error) {
	return deleteOwned(ctx, c.secrets(c.Namespace), name)
}

// deleteOwned deletes r's object name if mysqlctl manages it. A missing
// object is Result NotFound, not an error; a foreign one is ErrNotManaged.
// The UID precondition makes sure we delete the object we checked, not a
// namesake created in between.
func deleteOwned(ctx context.Context, r resource, name string) (Result, error) {
	res := Result{Kind: r.kind, Namespace: r.ns, Name: name, Action: NotFound}
	obj, err := r.owned(ctx, name, hintDelete)
	if err != nil || obj == nil {
		return res, err
	}
	uid := obj.GetUID()
	background := metav1.DeletePropagationBackground
	err = r.delete(ctx, name, metav1.DeleteOptions{
		Preconditions:     &metav1.Preconditions{UID: &uid},
		PropagationPolicy: &background,
	})
	if apierrors.IsNotFound(err) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("delete %s %s/%s: %w", r.kind, r.ns, name, err)
	}
	res.Action = Deleted
	return res, nil
}

// DeletePVCs deletes the PersistentVolumeClaims in c.Namespace matching
// selector that mysqlctl manages. StatefulSets copy their
// volumeClaimTemplates' labels to the claims, so the templates must carry
// app.kubernetes.io/managed-by=mysqlctl. Matching claims without it are not
// deleted and are reported with ErrNotManaged after the others are deleted.
// No match returns no results and no error.
func (c *Client) DeletePVCs(ctx context.Context, selector string) ([]Result, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return nil, fmt.Errorf("delete persistentvolumeclaims: invalid selector %q: %w", selector, err)
	}
	list, err := c.Clientset.CoreV1().PersistentVolumeClaims(c.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("list persistentvolumeclaims %s in namespace %s: %w", selector, c.Namespace, err)
	}
	var results []Result
	var errs []error
	r := c.pvcs(c.Namespace)
	for i := range list.Items {
		pvc := &list.Items[i]
		if err := checkManaged(r.kind, pvc, hintDelete); err != nil {
			errs = append(errs, err)
			continue
		}
		res, err := deleteOwned(ctx, r, pvc.Name)
		results = append(results, res)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return results, errors.Join(errs...)
}
