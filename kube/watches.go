package kube

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// podListWatch lists and watches the pods of ns matching sel.
func (c *Client) podListWatch(ns string, sel labels.Selector) *cache.ListWatch {
	api := c.Clientset.CoreV1().Pods(ns)
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel.String()
			return api.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = sel.String()
			return api.Watch(ctx, o)
		},
	}
}

// statefulSetListWatch lists and watches one StatefulSet by name, the way
// kubectl rollout status scopes its watch.
func (c *Client) statefulSetListWatch(ns, name string) *cache.ListWatch {
	api := c.Clientset.AppsV1().StatefulSets(ns)
	byName := fields.OneTermEqualSelector("metadata.name", name).String()
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = byName
			return api.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = byName
			return api.Watch(ctx, o)
		},
	}
}

// startInformer runs an informer on lw until ctx ends, poking changed
// (without blocking: one pending poke is enough) on every add, update or
// delete. wg tracks the informer goroutine so callers can wait for it.
func startInformer(ctx context.Context, wg *sync.WaitGroup, lw cache.ListerWatcher, obj runtime.Object, changed chan<- struct{}) (cache.Store, cache.InformerSynced) {
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	store, ctl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    obj,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { poke() },
			UpdateFunc: func(any, any) { poke() },
			DeleteFunc: func(any) { poke() },
		},
	})
	wg.Go(func() { ctl.RunWithContext(ctx) })
	return store, ctl.HasSynced
}

// matchingPods returns the pods in store of namespace ns matching sel. The
// filter repeats the server's: fake clientsets' watches ignore selectors.
func matchingPods(store cache.Store, ns string, sel labels.Selector) []*corev1.Pod {
	var pods []*corev1.Pod
	for _, o := range store.List() {
		if p, ok := o.(*corev1.Pod); ok && p.Namespace == ns && sel.Matches(labels.Set(p.Labels)) {
			pods = append(pods, p)
		}
	}
	return pods
}

// storedStatefulSet returns ns/name from store, or nil once it is gone.
func storedStatefulSet(store cache.Store, ns, name string) (*appsv1.StatefulSet, error) {
	o, ok, err := store.GetByKey(ns + "/" + name)
	if err != nil || !ok {
		return nil, err
	}
	sts, ok := o.(*appsv1.StatefulSet)
	if !ok {
		return nil, fmt.Errorf("statefulset store holds %T", o)
	}
	return sts, nil
}
