package kube

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// watchesStarted reports each watch the fake clientset opens, by resource,
// so a test changes objects only once the informers can see the change
// (the fake tracker drops events sent between a list and its watch).
func watchesStarted(cs *fake.Clientset) <-chan string {
	ch := make(chan string, 16)
	cs.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
		select {
		case ch <- a.GetResource().Resource:
		default:
		}
		return false, nil, nil
	})
	return ch
}

func awaitWatches(t *testing.T, started <-chan string, resources ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, r := range resources {
		want[r] = true
	}
	timeout := time.After(5 * time.Second)
	for len(want) > 0 {
		select {
		case r := <-started:
			delete(want, r)
		case <-timeout:
			t.Fatalf("watches not started: %v", want)
		}
	}
}

// progressLog records progress lines and lets a test wait for one.
type progressLog struct {
	mu    sync.Mutex
	lines []string
	seen  chan string
}

func newProgressLog() *progressLog { return &progressLog{seen: make(chan string, 100)} }

func (l *progressLog) add(p PodProgress) {
	l.mu.Lock()
	l.lines = append(l.lines, p.String())
	l.mu.Unlock()
	l.seen <- p.String()
}

func (l *progressLog) await(t *testing.T, line string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got := <-l.seen:
			if got == line {
				return
			}
		case <-timeout:
			t.Fatalf("progress %q not reported; got %q", line, l.all())
		}
	}
}

func (l *progressLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// startWait runs WaitStatefulSetReady in the background.
func startWait(ctx context.Context, c *Client, want int32, log *progressLog) <-chan error {
	done := make(chan error, 1)
	go func() { done <- c.WaitStatefulSetReady(ctx, "mysql", want, log.add) }()
	return done
}

func updatePod(t *testing.T, cs *fake.Clientset, p *corev1.Pod) {
	t.Helper()
	if _, err := cs.CoreV1().Pods(testNS).Update(context.Background(), p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createPod(t *testing.T, cs *fake.Clientset, p *corev1.Pod) {
	t.Helper()
	if _, err := cs.CoreV1().Pods(testNS).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func setStatus(t *testing.T, cs *fake.Clientset, sts *appsv1.StatefulSet, st appsv1.StatefulSetStatus) {
	t.Helper()
	sts.Status = st
	if _, err := cs.AppsV1().StatefulSets(testNS).UpdateStatus(context.Background(), sts, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestWaitStatefulSetReadyFollowsPodsAndStatus(t *testing.T) {
	sts := statefulSet(2)
	c, cs := newTestClient(t, sts)
	started := watchesStarted(cs)
	log := newProgressLog()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := startWait(ctx, c, 2, log)
	awaitWatches(t, started, "pods", "statefulsets")

	p0 := pod("mysql-0", corev1.PodStatus{Phase: corev1.PodPending})
	createPod(t, cs, p0)
	log.await(t, "mysql-0: pending")
	cloning := waitingStatus(true, "", "")
	cloning.InitContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	p0.Status = cloning
	updatePod(t, cs, p0)
	log.await(t, "mysql-0: initializing (clone-from-primary)")
	p0.Status = readyStatus()
	updatePod(t, cs, p0)
	createPod(t, cs, pod("mysql-1", readyStatus()))
	log.await(t, "mysql-1: ready")
	assertStillWaiting(t, done, "the StatefulSet status caught up")

	st := doneStatus(2)
	st.UpdateRevision = "r2" // a roll-out is still running
	setStatus(t, cs, sts, st)
	assertStillWaiting(t, done, "the roll-out finished")

	setStatus(t, cs, sts, doneStatus(2))
	if err := awaitResult(t, done); err != nil {
		t.Fatalf("err = %v", err)
	}
	want := []string{"mysql-0: pending", "mysql-0: initializing (clone-from-primary)", "mysql-0: ready", "mysql-1: ready"}
	if got := log.all(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("progress =\n%s\nwant (each change once)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWaitStatefulSetReadyReturnsAtOnceWhenDone(t *testing.T) {
	sts := statefulSet(1)
	sts.Status = doneStatus(1)
	c, _ := newTestClient(t, sts, pod("mysql-0", readyStatus()))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.WaitStatefulSetReady(ctx, "mysql", 1, nil); err != nil {
		t.Fatalf("err = %v", err)
	}
}

func TestWaitStatefulSetReadyFailsFastOnImagePull(t *testing.T) {
	sts := statefulSet(1)
	ev := event("mysql-0", "Failed", `Failed to pull image "mysql:8.4": not found`, 1, 2)
	c, cs := newTestClient(t, sts, &ev)
	started := watchesStarted(cs)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := startWait(ctx, c, 1, newProgressLog())
	awaitWatches(t, started, "pods", "statefulsets")
	createPod(t, cs, pod("mysql-0", waitingStatus(false, "ImagePullBackOff", `Back-off pulling image "mysql:8.4"`)))

	err := awaitResult(t, done)
	var pe *PodError
	if !errors.Is(err, ErrPodFailed) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *PodError", err)
	}
	if pe.Image != "mysql:8.4" || len(pe.Events) != 1 || !strings.Contains(pe.Events[0], "Failed to pull image") {
		t.Errorf("PodError = %+v, want image and the pull event", pe)
	}
}

func TestWaitStatefulSetReadyCrashLoopIncludesLogs(t *testing.T) {
	sts := statefulSet(1)
	c, _ := newTestClient(t, sts, pod("mysql-0", crashLooping()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := c.WaitStatefulSetReady(ctx, "mysql", 1, nil)
	var pe *PodError
	if !errors.As(err, &pe) || pe.Reason != "CrashLoopBackOff" {
		t.Fatalf("err = %v, want CrashLoopBackOff", err)
	}
	if !strings.Contains(err.Error(), "last log lines of mysql:\n    fake logs") {
		t.Errorf("err = %q, want the log tail (the fake answers \"fake logs\")", err)
	}
}

func TestWaitStatefulSetReadyTimeoutSaysWhatIsMissing(t *testing.T) {
	sts := statefulSet(3)
	sts.Status = appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 1}
	volumeWait := "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."
	ev := event("mysql-1", "FailedScheduling", volumeWait, 1, 4)
	c, _ := newTestClient(t, sts, pod("mysql-0", readyStatus()), pod("mysql-1", unschedulable(volumeWait)), &ev)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()

	err := c.WaitStatefulSetReady(ctx, "mysql", 3, nil)
	var we *WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a *WaitError wrapping DeadlineExceeded", err)
	}
	want := "timed out waiting for statefulset/mysql in namespace db: 1/3 pods ready\n" +
		"  mysql-1: pending: Unschedulable: " + volumeWait + " (phase Pending)\n" +
		"    init container clone-from-primary: not started\n" +
		"    container mysql: not started\n" +
		"    event: Warning FailedScheduling (x4): " + volumeWait + "\n" +
		"  mysql-2: not created yet"
	if err.Error() != want {
		t.Errorf("err =\n%s\nwant\n%s", err, want)
	}
}

func TestWaitStatefulSetReadyInterrupted(t *testing.T) {
	c, _ := newTestClient(t, statefulSet(1))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err := c.WaitStatefulSetReady(ctx, "mysql", 1, nil)
	var we *WaitError
	if !errors.Is(err, context.Canceled) || errors.As(err, &we) {
		t.Errorf("err = %v, want a plain context.Canceled", err)
	}
}

func TestWaitStatefulSetReadyMissing(t *testing.T) {
	c, _ := newTestClient(t)
	err := c.WaitStatefulSetReady(context.Background(), "mysql", 1, nil)
	if err == nil || !strings.Contains(err.Error(), "statefulset db/mysql") {
		t.Errorf("err = %v, want it to name the statefulset", err)
	}
}

// doneStatus is the status of a StatefulSet at n ready, updated replicas.
func doneStatus(n int32) appsv1.StatefulSetStatus {
	return appsv1.StatefulSetStatus{Replicas: n, ReadyReplicas: n, UpdatedReplicas: n, CurrentReplicas: n,
		CurrentRevision: "r1", UpdateRevision: "r1", ObservedGeneration: 1}
}

func TestNotReady(t *testing.T) {
	readyPods := map[int]*corev1.Pod{0: pod("mysql-0", readyStatus()), 1: pod("mysql-1", readyStatus())}
	onePending := map[int]*corev1.Pod{0: readyPods[0], 1: pod("mysql-1", corev1.PodStatus{})}
	for _, tc := range []struct {
		name   string
		status func(*appsv1.StatefulSetStatus)
		gen    int64
		pods   map[int]*corev1.Pod
		want   string
	}{
		{"done", nil, 1, readyPods, ""},
		{"new generation unseen", nil, 2, readyPods, "waiting for the StatefulSet controller to see generation 2"},
		{"a pod pending", nil, 1, onePending, "1/2 pods ready"},
		{"a pod missing", nil, 1, map[int]*corev1.Pod{0: readyPods[0]}, "1/2 pods ready"},
		{"status lags", func(s *appsv1.StatefulSetStatus) { s.ReadyReplicas = 1 }, 1, readyPods, "StatefulSet status shows 1/2 pods ready"},
		{"extra pod left", func(s *appsv1.StatefulSetStatus) { s.Replicas = 3 }, 1, readyPods, "3 pods exist, want 2"},
		{"roll-out running", func(s *appsv1.StatefulSetStatus) { s.UpdatedReplicas = 1; s.UpdateRevision = "r2" }, 1, readyPods, "rolling update: 1/2 pods updated"},
		{"revision not switched", func(s *appsv1.StatefulSetStatus) { s.UpdateRevision = "r2" }, 1, readyPods, "rolling update to revision r2 not finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := statefulSet(2)
			sts.Generation = tc.gen
			sts.Status = doneStatus(2)
			if tc.status != nil {
				tc.status(&sts.Status)
			}
			if got := notReady(sts, tc.pods, 2); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStsPodsIgnoresOtherNames(t *testing.T) {
	got := stsPods("mysql", []*corev1.Pod{pod("mysql-0", corev1.PodStatus{}), pod("mysql-backup-0", corev1.PodStatus{}), pod("other-1", corev1.PodStatus{})})
	if len(got) != 1 || got[0] == nil || got[0].Name != "mysql-0" {
		t.Errorf("got %v, want only mysql-0", got)
	}
}
