package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// WaitPodsGone waits until no pod in c.Namespace matches selector, e.g.
// after DeleteStatefulSet while the garbage collector removes its pods.
// When ctx ends first, the error names the pods still present.
func (c *Client) WaitPodsGone(ctx context.Context, selector string) error {
	sel, err := labels.Parse(selector)
	if err != nil {
		return fmt.Errorf("wait for pods to be deleted: invalid selector %q: %w", selector, err)
	}
	var store cache.Store
	gone := func() bool { return len(matchingPods(store, c.Namespace, sel)) == 0 }
	_, err = watchtools.UntilWithSync(ctx, c.podListWatch(c.Namespace, sel), &corev1.Pod{},
		func(s cache.Store) (bool, error) {
			store = s // the informer updates it before each event reaches the condition
			return gone(), nil
		},
		func(watch.Event) (bool, error) { return gone(), nil },
	)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil || store == nil {
		return fmt.Errorf("wait for pods %s in namespace %s to be deleted: %w", selector, c.Namespace, err)
	}
	var left []string
	for _, p := range matchingPods(store, c.Namespace, sel) {
		left = append(left, p.Name)
	}
	slices.SortFunc(left, compareByOrdinal)
	return fmt.Errorf("wait for pods %s in namespace %s to be deleted: still present: %s: %w",
		selector, c.Namespace, strings.Join(left, ", "), ctx.Err())
}
