package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// WaitStatefulSetReady waits until StatefulSet name in c.Namespace runs want
// Ready pods, ordinals 0..want-1, with its status caught up and any roll-out
// finished. progress (may be nil) gets a pod's PodProgress each time it
// changes, in ordinal order, always from the calling goroutine.
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
func (c *Client) WaitStatefulSetReady(ctx context.Context, name string, want int32, progress func(PodProgress)) error {
	return c.waitStatefulSet(ctx, name, want, progress, func(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod) string {
		return notReady(sts, pods, want)
	})
}

// waitStatefulSet waits on StatefulSet name's pods and status until
// missing says nothing is.
func (c *Client) waitStatefulSet(ctx context.Context, name string, want int32, progress func(PodProgress),
	missing func(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod) string) error {
	sts, err := c.clientset.AppsV1().StatefulSets(c.namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("wait for statefulset %s/%s: %w", c.namespace, name, err)
	}
	sel, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return fmt.Errorf("wait for statefulset %s/%s: selector: %w", c.namespace, name, err)
	}
	w := &stsWaiter{c: c, name: name, want: want, sel: sel, progress: progress, shown: map[string]PodProgress{}, missing: missing}
	return w.run(ctx)
}

// stsWaiter is the state of one WaitStatefulSetReady call.
type stsWaiter struct {
	c        *Client
	name     string
	want     int32
	sel      labels.Selector
	progress func(PodProgress)
	shown    map[string]PodProgress // last progress reported per pod
	stsStore cache.Store
	podStore cache.Store
	// missing says what keeps the wait from its end, "" once there.
	missing func(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod) string
}

func (w *stsWaiter) run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // informers stopped before we return
	defer cancel()

	changed := make(chan struct{}, 1)
	var stsSynced, podsSynced cache.InformerSynced
	w.stsStore, stsSynced = startInformer(runCtx, &wg, w.c.statefulSetListWatch(w.name), &appsv1.StatefulSet{}, changed)
	w.podStore, podsSynced = startInformer(runCtx, &wg, w.c.podListWatch(w.sel), &corev1.Pod{}, changed)
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
	sts, err := storedStatefulSet(w.stsStore, w.c.namespace, w.name)
	if err != nil {
		return false, err
	}
	if sts == nil {
		return false, fmt.Errorf("statefulset %s/%s was deleted while waiting for it", w.c.namespace, w.name)
	}
	pods := stsPods(w.name, matchingPods(w.podStore, w.c.namespace, w.sel))
	w.report(pods)
	for _, n := range sortedKeys(pods) {
		if p := FindProblem(pods[n]); p != nil {
			return false, w.c.enrich(ctx, pods[n], p)
		}
	}
	return w.missing(sts, pods) == "", nil
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
		return fmt.Errorf("wait for statefulset %s/%s: %w", w.c.namespace, w.name, ctx.Err())
	}
	e := &WaitError{Kind: KindStatefulSet, Namespace: w.c.namespace, Name: w.name, Err: ctx.Err(), Missing: "the StatefulSet and its pods could not be listed in time"}
	sts, _ := storedStatefulSet(w.stsStore, w.c.namespace, w.name)
	if sts == nil {
		return e
	}
	pods := stsPods(w.name, matchingPods(w.podStore, w.c.namespace, w.sel))
	e.Missing = w.missing(sts, pods)
	dctx, cancel := diagnosisContext(ctx)
	defer cancel()
	for i := 0; i < int(w.want); i++ {
		p := pods[i]
		switch {
		case p == nil:
			e.Pods = append(e.Pods, []string{fmt.Sprintf("%s-%d: not created yet", w.name, i)})
		case !isPodReady(p):
			events, _ := w.c.podEvents(dctx, p.Name) // best effort: the report is still useful without
			e.Pods = append(e.Pods, DescribePod(p, events))
		}
	}
	return e
}

// WaitError is a wait that ran out of time, with what was still missing.
// errors.Is(err, context.DeadlineExceeded) matches it.
type WaitError struct {
	Kind, Namespace, Name string
	// Missing is the first unmet condition: "1/3 pods ready".
	Missing string
	// Pods has one block per pod that is not ready: a summary line, then
	// container states and the pod's last events (see DescribePod).
	Pods [][]string
	// Err is the context's error.
	Err error
}

// Unwrap returns the context's error.
func (e *WaitError) Unwrap() error { return e.Err }

// Error is one sentence, then each pod's block indented beneath it.
func (e *WaitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timed out waiting for %s/%s in namespace %s: %s", e.Kind, e.Name, e.Namespace, e.Missing)
	for _, lines := range e.Pods {
		for i, l := range lines {
			indent := "  "
			if i > 0 {
				indent = "    "
			}
			b.WriteString("\n" + indent + l)
		}
	}
	return b.String()
}

// stsPods picks sts's pods (name "<sts>-<ordinal>") out of pods, by ordinal.
func stsPods(stsName string, pods []*corev1.Pod) map[int]*corev1.Pod {
	byOrdinal := map[int]*corev1.Pod{}
	for _, p := range pods {
		rest, ok := strings.CutPrefix(p.Name, stsName+"-")
		if !ok {
			continue
		}
		// "mysql-backup-0" also starts with "mysql-": the rest must be the ordinal alone.
		if n, ok := Ordinal("-" + rest); ok && strconv.Itoa(n) == rest {
			byOrdinal[n] = p
		}
	}
	return byOrdinal
}

// notReady says what keeps sts from being done at want replicas, or ""
// when it is done: pods 0..want-1 exist and are Ready, and the StatefulSet
// status agrees, with any roll-out finished (the checks kubectl rollout
// status makes for a StatefulSet, plus the pods themselves).
func notReady(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod, want int32) string {
	st := sts.Status
	if st.ObservedGeneration < sts.Generation {
		return fmt.Sprintf("waiting for the StatefulSet controller to see generation %d", sts.Generation)
	}
	ready := 0
	for i := 0; i < int(want); i++ {
		if p := pods[i]; p != nil && isPodReady(p) {
			ready++
		}
	}
	switch {
	case ready < int(want):
		return fmt.Sprintf("%d/%d pods ready", ready, want)
	case st.Replicas != want:
		return fmt.Sprintf("%d pods exist, want %d", st.Replicas, want)
	case st.ReadyReplicas != want:
		return fmt.Sprintf("StatefulSet status shows %d/%d pods ready", st.ReadyReplicas, want)
	case st.UpdatedReplicas != want:
		return fmt.Sprintf("rolling update: %d/%d pods updated", st.UpdatedReplicas, want)
	case st.CurrentRevision != st.UpdateRevision:
		return fmt.Sprintf("rolling update to revision %s not finished", st.UpdateRevision)
	}
	return ""
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// podListWatch lists and watches the pods of c.Namespace matching sel.
func (c *Client) podListWatch(sel labels.Selector) *cache.ListWatch {
	api := c.clientset.CoreV1().Pods(c.namespace)
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
func (c *Client) statefulSetListWatch(name string) *cache.ListWatch {
	api := c.clientset.AppsV1().StatefulSets(c.namespace)
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
