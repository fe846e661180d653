package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// readWatch looks at the ready endpoints of mysql-read until stopped, and
// records every look at which one of its pods was not among them.
type readWatch struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
	mu     sync.Mutex
	gaps   []string
	looks  int
}

// waitReadEndpoints waits until mysql-read lists every one of pods as
// ready: the EndpointSlice follows a pod's Ready condition a moment after
// it, so right after up returns a replica may still be missing from it.
func (c *testCluster) waitReadEndpoints(t *testing.T, ctx context.Context, ns string, pods ...string) {
	t.Helper()
	var seen map[string]bool
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		ready, err := c.readEndpoints(ctx, ns)
		if err != nil {
			return false, nil
		}
		seen = ready
		for _, p := range pods {
			if !ready[p] {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("mysql-read did not list %v as ready within 30s (last seen: %v)", pods, seen)
	}
}

// watchReadEndpoints starts a readWatch of pods.
func (c *testCluster) watchReadEndpoints(ctx context.Context, ns string, pods ...string) *readWatch {
	ctx, cancel := context.WithCancel(ctx)
	w := &readWatch{cancel: cancel}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		_ = wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			ready, err := c.readEndpoints(ctx, ns)
			if err != nil {
				return false, nil
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			w.looks++
			for _, p := range pods {
				if !ready[p] {
					w.gaps = append(w.gaps, fmt.Sprintf("%s at %s", p, time.Now().Format("15:04:05.0")))
				}
			}
			return false, nil
		})
	}()
	return w
}

// stop ends the watch and returns the gaps it saw.
func (w *readWatch) stop() []string {
	w.cancel()
	w.done.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gaps
}

// readEndpoints lists the pods behind mysql-read and whether each is ready.
func (c *testCluster) readEndpoints(ctx context.Context, ns string) (map[string]bool, error) {
	slices, err := c.client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=mysql-read"})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			if e.TargetRef != nil {
				out[e.TargetRef.Name] = e.Conditions.Ready != nil && *e.Conditions.Ready
			}
		}
	}
	return out, nil
}

// waitReadEndpoint waits until pod is (or is not) a ready endpoint of
// mysql-read, running tick on every look (a write, to make a delay show).
func (c *testCluster) waitReadEndpoint(t *testing.T, ctx context.Context, ns, pod string, ready bool, tick func()) {
	t.Helper()
	var seen map[string]bool
	err := wait.PollUntilContextTimeout(ctx, time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		tick()
		var err error
		if seen, err = c.readEndpoints(ctx, ns); err != nil {
			return false, nil
		}
		return seen[pod] == ready, nil
	})
	if err != nil {
		t.Fatalf("%s never became ready=%v behind mysql-read: last seen %v", pod, ready, seen)
	}
}
