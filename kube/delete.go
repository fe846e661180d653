package kube

import (
	"context"
	"errors"
	"fmt"
	"k8s.io/apimachinery/pkg/types"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// hintDelete ends the ErrNotManaged sentence when a Delete meets a foreign object.
const hintDelete = "refusing to delete it"

// Delete deletes the object of kind (a Kind constant) and name in
// c.Namespace if mysqlctl manages it: a missing object is Result NotFound,
// a foreign one ErrNotManaged. Dependents (a StatefulSet's pods) are removed
// by the garbage collector afterwards: see WaitGone.
func (c *Client) Delete(ctx context.Context, kind, name string) (Result, error) {
	r, err := c.resourceOf(kind, c.namespace)
	if err != nil {
		return Result{}, err
	}
	return r.deleteOwned(ctx, name)
}

// DeleteOrphaning deletes the object like Delete but leaves its dependents
// running: a StatefulSet whose immutable fields must change is deleted this
// way and applied anew, and the new one adopts the pods that match it.
func (c *Client) DeleteOrphaning(ctx context.Context, kind, name string) (Result, error) {
	r, err := c.resourceOf(kind, c.namespace)
	if err != nil {
		return Result{}, err
	}
	return r.deleteWith(ctx, name, metav1.DeletePropagationOrphan)
}

// deleteOwned deletes r's object name if mysqlctl manages it. A missing
// object is Result NotFound, not an error; a foreign one is ErrNotManaged.
// The UID precondition makes sure we delete the object we checked, not a
// namesake created in between.
func (r resource) deleteOwned(ctx context.Context, name string) (Result, error) {
	return r.deleteWith(ctx, name, metav1.DeletePropagationBackground)
}

func (r resource) deleteWith(ctx context.Context, name string, propagation metav1.DeletionPropagation) (Result, error) {
	res := Result{Kind: r.kind, Namespace: r.ns, Name: name, Action: NotFound}
	obj, err := r.owned(ctx, name, hintDelete)
	if err != nil || obj == nil {
		return res, err
	}
	uid := obj.GetUID()
	res.UID = uid
	err = r.delete(ctx, name, metav1.DeleteOptions{
		Preconditions:     &metav1.Preconditions{UID: &uid},
		PropagationPolicy: &propagation,
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
// selector that mysqlctl manages, by ordinal. StatefulSets copy their
// volumeClaimTemplates' labels to the claims, so the templates must carry
// app.kubernetes.io/managed-by=mysqlctl. Matching claims without it are not
// deleted and are reported with ErrNotManaged after the others are deleted.
// No match returns no results and no error.
func (c *Client) DeletePVCs(ctx context.Context, selector string) ([]Result, error) {
	pvcs, err := c.ListPVCs(ctx, selector)
	if err != nil {
		return nil, err
	}
	r, err := c.resourceOf(KindPVC, c.namespace)
	if err != nil {
		return nil, err
	}
	var results []Result
	var errs []error
	for i := range pvcs {
		if err := CheckManaged(r.kind, &pvcs[i], hintDelete); err != nil {
			errs = append(errs, err)
			continue
		}
		res, err := r.deleteOwned(ctx, pvcs[i].Name)
		results = append(results, res)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return results, errors.Join(errs...)
}

// Gone names objects of one kind for WaitGone: the objects called Names, or
// every object matching the label Selector. Exactly one of the two is set;
// an empty selector would mean every object of the kind, so it is refused.
type Gone struct {
	Kind     string // one of the Kind constants
	Selector string
	Names    []string
	// UIDs, with Names, are the objects that must go: a namesake with
	// another UID is a successor (a StatefulSet re-creates its pods and
	// claims under the same names) and counts as gone.
	UIDs map[string]types.UID
}

// goneInterval is how often WaitGone asks the API server.
const goneInterval = 250 * time.Millisecond

// WaitGone waits until every target has been deleted from c.Namespace: a
// named object when Get answers NotFound, a selector when List matches
// nothing. Any other answer (Forbidden, a server timeout) ends the wait
// with an error, never counts as gone: a wait that cannot look must not
// report success. When ctx ends first, the error names what is still
// present ("still present: pod/mysql-3, persistentvolumeclaim/data-mysql-3").
func (c *Client) WaitGone(ctx context.Context, targets ...Gone) error {
	left, err := c.checkGone(targets)
	if err != nil {
		return err
	}
	err = wait.PollUntilContextCancel(ctx, goneInterval, true, func(ctx context.Context) (bool, error) {
		now, err := c.present(ctx, targets)
		if err != nil && ctx.Err() != nil {
			return false, nil // ctx cut the call short: keep what the last full check saw
		}
		if err != nil {
			return false, err
		}
		left = now
		return len(left) == 0, nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("wait for deletion in namespace %s: still present: %s: %w", c.namespace, strings.Join(left, ", "), ctx.Err())
	}
	return fmt.Errorf("wait for deletion in namespace %s: %w", c.namespace, err)
}

// checkGone validates targets before the first API call, and describes them
// for a timeout that ends the wait before any check completed.
func (c *Client) checkGone(targets []Gone) ([]string, error) {
	var all []string
	for _, t := range targets {
		if _, err := c.resourceOf(t.Kind, c.namespace); err != nil {
			return nil, fmt.Errorf("wait for deletion: %w", err)
		}
		switch {
		case len(t.Names) > 0 && t.Selector != "":
			return nil, fmt.Errorf("wait for deletion of %s: give names or a selector, not both", t.Kind)
		case len(t.Names) > 0:
			for _, n := range t.Names {
				all = append(all, t.Kind+"/"+n)
			}
		case t.Selector == "":
			return nil, fmt.Errorf("wait for deletion of %s: no names and no selector", t.Kind)
		default:
			if _, err := parseSelector("wait for deletion of "+t.Kind, t.Selector); err != nil {
				return nil, err
			}
			all = append(all, fmt.Sprintf("%ss matching %s", t.Kind, t.Selector))
		}
	}
	return all, nil
}

// present lists the targets that still exist, as "kind/name".
func (c *Client) present(ctx context.Context, targets []Gone) ([]string, error) {
	var left []string
	for _, t := range targets {
		r, err := c.resourceOf(t.Kind, c.namespace)
		if err != nil {
			return nil, err
		}
		names, err := r.remaining(ctx, t)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			left = append(left, t.Kind+"/"+n)
		}
	}
	return left, nil
}

// remaining returns the names of t's objects that still exist, by ordinal.
// Only NotFound means a named object is absent.
func (r resource) remaining(ctx context.Context, t Gone) ([]string, error) {
	if len(t.Names) == 0 {
		names, err := r.list(ctx, t.Selector)
		if err != nil {
			return nil, fmt.Errorf("list %s %s in namespace %s: %w", r.kind, t.Selector, r.ns, err)
		}
		slices.SortFunc(names, compareByOrdinal)
		return names, nil
	}
	var found []string
	for _, n := range t.Names {
		obj, err := r.get(ctx, n)
		switch {
		case err == nil && t.UIDs[n] != "" && obj.GetUID() != t.UIDs[n]:
			// a successor: the one we waited for is gone
		case err == nil:
			found = append(found, n)
		case !apierrors.IsNotFound(err):
			return nil, fmt.Errorf("get %s %s/%s: %w", r.kind, r.ns, n, err)
		}
	}
	return found, nil
}
