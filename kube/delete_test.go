package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	k8stesting "k8s.io/client-go/testing"
)

func TestDeleteOnlyManagedObjects(t *testing.T) {
	ctx := context.Background()
	c, cs := newTestClient(t,
		&appsv1.StatefulSet{ObjectMeta: meta("mysql", ours())},
		&corev1.Service{ObjectMeta: meta("mysql", ours())},
		&corev1.ConfigMap{ObjectMeta: meta("mysql", nil)},
	)
	res, err := c.Delete(ctx, KindStatefulSet, "mysql")
	if err != nil || res.String() != "statefulset/mysql deleted" {
		t.Errorf("statefulset: %v, %v; want deleted", res, err)
	}
	if _, err := cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("statefulset still there: %v", err)
	}
	res, err = c.Delete(ctx, KindStatefulSet, "mysql")
	if err != nil || res.String() != "statefulset/mysql not found" {
		t.Errorf("again: %v, %v; want not found", res, err)
	}
	if res, err := c.Delete(ctx, KindService, "mysql"); err != nil || res.Action != Deleted {
		t.Errorf("service: %v, %v; want deleted", res, err)
	}
	if res, err := c.Delete(ctx, KindSecret, "nothing"); err != nil || res.Action != NotFound {
		t.Errorf("secret: %v, %v; want not found", res, err)
	}
	_, err = c.Delete(ctx, KindConfigMap, "mysql")
	if !errors.Is(err, ErrNotManaged) {
		t.Fatalf("foreign configmap: err = %v, want ErrNotManaged", err)
	}
	if _, err := cs.CoreV1().ConfigMaps(testNS).Get(ctx, "mysql", metav1.GetOptions{}); err != nil {
		t.Errorf("foreign configmap was deleted: %v", err)
	}
}

func TestDeletePVCs(t *testing.T) {
	ctx := context.Background()
	mine := map[string]string{"app": "mysql", ManagedByLabel: ManagedByValue}
	c, cs := newTestClient(t,
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-0", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-1", mine)},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-9", map[string]string{"app": "mysql"})},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("other", map[string]string{"app": "other", ManagedByLabel: ManagedByValue})},
	)
	results, err := c.DeletePVCs(ctx, "app=mysql")
	if !errors.Is(err, ErrNotManaged) {
		t.Errorf("err = %v, want ErrNotManaged for data-mysql-9", err)
	}
	if len(results) != 2 || results[0].String() != "persistentvolumeclaim/data-mysql-0 deleted" || results[1].Action != Deleted {
		t.Errorf("results = %v, want data-mysql-0 and -1 deleted", results)
	}
	left, _ := cs.CoreV1().PersistentVolumeClaims(testNS).List(ctx, metav1.ListOptions{})
	var names []string
	for _, p := range left.Items {
		names = append(names, p.Name)
	}
	if len(names) != 2 || names[0] != "data-mysql-9" || names[1] != "other" {
		t.Errorf("left = %v, want the foreign claim and the unselected one", names)
	}
	if results, err := c.DeletePVCs(ctx, "app=none"); err != nil || len(results) != 0 {
		t.Errorf("no match: %v, %v; want nothing", results, err)
	}
	if _, err := c.DeletePVCs(ctx, "app in ("); err == nil {
		t.Error("invalid selector: want an error")
	}
}

// startWaitGone runs WaitGone in the background, for at most 20 seconds.
func startWaitGone(t *testing.T, c *Client, targets ...Gone) <-chan error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- c.WaitGone(ctx, targets...) }()
	return done
}

// WaitGone returns only once every selected pod and every named claim is
// gone; objects it was not asked about do not count.
func TestWaitGoneWaitsForEveryTarget(t *testing.T) {
	c, _ := newTestClient(t, pod("mysql-0", readyStatus()), pod("mysql-1", readyStatus()),
		&corev1.Pod{ObjectMeta: meta("unrelated-0", map[string]string{"app": "other"})},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-3", ours())},
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-0", ours())})
	done := startWaitGone(t, c, Gone{Kind: KindPod, Selector: "app=mysql"}, Gone{Kind: KindPVC, Names: []string{"data-mysql-3"}})
	for _, o := range []struct{ kind, name string }{{KindPod, "mysql-0"}, {KindPVC, "data-mysql-3"}, {KindPod, "mysql-1"}} {
		assertStillWaiting(t, done, o.kind+"/"+o.name+" was deleted")
		r, err := c.resourceOf(o.kind, testNS)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.delete(context.Background(), o.name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := awaitResult(t, done); err != nil {
		t.Errorf("err = %v", err)
	}
}

func TestWaitGoneNothingThere(t *testing.T) {
	c, _ := newTestClient(t)
	err := c.WaitGone(context.Background(), Gone{Kind: KindPod, Selector: "app=mysql"},
		Gone{Kind: KindStatefulSet, Names: []string{"mysql"}}, Gone{Kind: KindPodDisruptionBudget, Names: []string{"mysql"}})
	if err != nil {
		t.Errorf("err = %v", err)
	}
	if err := c.WaitGone(context.Background()); err != nil {
		t.Errorf("no targets: err = %v", err)
	}
}

func TestWaitGoneTimeoutNamesLeftovers(t *testing.T) {
	c, _ := newTestClient(t, pod("mysql-10", readyStatus()), pod("mysql-3", readyStatus()),
		&corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-3", ours())})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c.WaitGone(ctx, Gone{Kind: KindPod, Selector: "app=mysql"},
		Gone{Kind: KindPVC, Names: []string{"data-mysql-2", "data-mysql-3"}})
	want := "wait for deletion in namespace db: still present: pod/mysql-3, pod/mysql-10, persistentvolumeclaim/data-mysql-3: context deadline exceeded"
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

// Only NotFound means gone: an answer the wait cannot read through must end
// it with that error, never with success and never by waiting it out.
func TestWaitGoneOtherErrorsAreErrors(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
	for _, tc := range []struct {
		name   string
		verb   string
		err    error
		target Gone
	}{
		{"forbidden get", "get", forbidden, Gone{Kind: KindPod, Names: []string{"mysql-0"}}},
		{"forbidden list", "list", forbidden, Gone{Kind: KindPod, Selector: "app=mysql"}},
		{"server timeout", "get", apierrors.NewServerTimeout(schema.GroupResource{Resource: "pods"}, "get", 1), Gone{Kind: KindPod, Names: []string{"mysql-0"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, cs := newTestClient(t) // empty: without the reactor the pods would be gone
			cs.PrependReactor(tc.verb, "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, tc.err
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := c.WaitGone(ctx, tc.target)
			if err == nil || !errors.Is(err, tc.err) || ctx.Err() != nil {
				t.Errorf("err = %v, want %v at once", err, tc.err)
			}
		})
	}
}

func TestWaitGoneRejectsBadTargets(t *testing.T) {
	c, _ := newTestClient(t)
	for _, tc := range []struct {
		target Gone
		want   string
	}{
		{Gone{Kind: "deployment", Names: []string{"x"}}, `unknown kind "deployment"`},
		{Gone{Kind: KindPod}, "no names and no selector"},
		{Gone{Kind: KindPod, Selector: "app=mysql", Names: []string{"mysql-0"}}, "not both"},
		{Gone{Kind: KindPod, Selector: "app in ("}, "invalid selector"},
	} {
		if err := c.WaitGone(context.Background(), tc.target); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.target, err, tc.want)
		}
	}
}

// A namesake with another UID is the object's successor: the one waited
// for is gone. The same UID is still there.
func TestWaitGoneCountsASuccessorAsGone(t *testing.T) {
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: meta("data-mysql-2", ours())}
	pvc.UID = "new"
	c, _ := newTestClient(t, pvc)
	if err := c.WaitGone(context.Background(), Gone{Kind: KindPVC, Names: []string{"data-mysql-2"}, UIDs: map[string]types.UID{"data-mysql-2": "old"}}); err != nil {
		t.Errorf("a successor with another UID: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.WaitGone(ctx, Gone{Kind: KindPVC, Names: []string{"data-mysql-2"}, UIDs: map[string]types.UID{"data-mysql-2": "new"}}); err == nil {
		t.Error("the same UID counted as gone")
	}
}
