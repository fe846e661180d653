package kube

import (
	"context"
	"errors"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// WaitStatefulSetReady waits until StatefulSet namespace/name (c.Namespace
// when namespace is "") runs want Ready pods, ordinals 0..want-1, with its
// status caught up and any roll-out finished. progress (may be nil) gets a
// pod's PodProgress each time it changes, in ordinal order, always from the
// calling goroutine.
//
// It returns early with a *PodError (ErrPodFailed) when a pod will not
// recover by itself (see FindProblem), with the crashing container's last
// log lines and the pod's last events. When ctx's deadline passes it
// returns a *WaitError naming what was still missing.
//
// Readiness depends on two kinds, the pods and the StatefulSet's status, so
// this runs one informer on each (the StatefulSet's scoped by name, the
// pods by the StatefulSet's selector) and re-checks on every event from
// either; watchtools.UntilWithSync follows a single kind.
func (c *Client) WaitStatefulSetReady(ctx context.Context, namespace, name string, want int32, progress func(PodProgress)) error {
	if namespace == "" {
		namespace = c.Namespace
	}
	sts, err := c.Clientset.AppsV1().StatefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("wait for statefulset %s/%s: %w", namespace, name, err)
	}
	sel, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return fmt.Errorf("wait for statefulset %s/%s: selector: %w", namespace, name, err)
	}
	w := &stsWaiter{c: c, ns: namespace, name: name, want: want, sel: sel, progress: progress, shown: map[string]PodProgress{}}
	return w.run(ctx)
}

// stsWaiter is the state of one WaitStatefulSetReady call.
type stsWaiter struct {
	c        *Client
	ns, name string
	want     int32
	sel      labels.Selector
	progress func(PodProgress)
	shown    map[string]PodProgress // last progress reported per pod
	stsStore cache.Store
	podStore cache.Store
}

func (w *stsWaiter) run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // informers stopped before we return
	defer cancel()

	changed := make(chan struct{}, 1)
	var stsSynced, podsSynced cache.InformerSynced
	w.stsStore, stsSynced = startInformer(runCtx, &wg, w.c.statefulSetListWatch(w.ns, w.name), &appsv1.StatefulSet{}, changed)
	w.podStore, podsSynced = startInformer(runCtx, &wg, w.c.podListWatch(w.ns, w.sel), &corev1.Pod{}, changed)
	if !cache.WaitForCacheSync(ctx.Done(), stsSynced, podsSynced) {
		return w.stopped(ctx)
	}
	for {
		done, err := w.check(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return w.stopped(ctx)
		case <-changed:
		}
	}
}

// check reports progress, then fails on a pod problem or says whether done.
func (w *stsWaiter) check(ctx context.Context) (bool, error) {
	sts, err := storedStatefulSet(w.stsStore, w.ns, w.name)
	if err != nil {
		return false, err
	}
	if sts == nil {
		return false, fmt.Errorf("statefulset %s/%s was deleted while waiting for it", w.ns, w.name)
	}
	pods := stsPods(w.name, matchingPods(w.podStore, w.ns, w.sel))
	w.report(pods)
	for _, n := range sortedKeys(pods) {
		if p := FindProblem(pods[n]); p != nil {
			return false, w.c.enrich(ctx, w.ns, pods[n], p)
		}
	}
	return notReady(sts, pods, w.want) == "", nil
}

// report calls progress for each pod whose PodProgress changed, by ordinal.
func (w *stsWaiter) report(pods map[int]*corev1.Pod) {
	if w.progress == nil {
		return
	}
	seen := map[string]bool{}
	for _, n := range sortedKeys(pods) {
		pp := ProgressOf(pods[n])
		seen[pp.Pod] = true
		if w.shown[pp.Pod] != pp {
			w.shown[pp.Pod] = pp
			w.progress(pp)
		}
	}
	for name := range w.shown {
		if !seen[name] {
			delete(w.shown, name) // a recreated pod is reported afresh
		}
	}
}

// stopped explains why the wait ended without success: Ctrl-C is reported
// briefly, a deadline with everything that was still missing.
func (w *stsWaiter) stopped(ctx context.Context) error {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("wait for statefulset %s/%s: %w", w.ns, w.name, ctx.Err())
	}
	e := &WaitError{Kind: "statefulset", Namespace: w.ns, Name: w.name, Err: ctx.Err(), Missing: "the StatefulSet and its pods could not be listed in time"}
	sts, _ := storedStatefulSet(w.stsStore, w.ns, w.name)
	if sts == nil {
		return e
	}
	pods := stsPods(w.name, matchingPods(w.podStore, w.ns, w.sel))
	e.Missing = notReady(sts, pods, w.want)
	dctx, cancel := diagnosisContext(ctx)
	defer cancel()
	for i := 0; i < int(w.want); i++ {
		p := pods[i]
		switch {
		case p == nil:
			e.Pods = append(e.Pods, []string{fmt.Sprintf("%s-%d: not created yet", w.name, i)})
		case !isPodReady(p):
			events, _ := w.c.podEvents(dctx, w.ns, p.Name) // best effort: the report is still useful without
			e.Pods = append(e.Pods, DescribePod(p, events))
		}
	}
	return e
}
