package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestWaitPodsGone(t *testing.T) {
	c, cs := newTestClient(t, pod("mysql-0", readyStatus()), pod("mysql-1", readyStatus()),
		&corev1.Pod{ObjectMeta: meta("unrelated-0", map[string]string{"app": "other"})})
	started := watchesStarted(cs)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.WaitPodsGone(ctx, "app=mysql") }()
	awaitWatches(t, started, "pods")

	if err := cs.CoreV1().Pods(testNS).Delete(ctx, "mysql-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	assertStillWaiting(t, done, "mysql-1 was deleted")
	if err := cs.CoreV1().Pods(testNS).Delete(ctx, "mysql-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := awaitResult(t, done); err != nil {
		t.Errorf("err = %v; the unrelated pod must not count", err)
	}
}

func TestWaitPodsGoneNoneAtStart(t *testing.T) {
	c, _ := newTestClient(t)
	if err := c.WaitPodsGone(context.Background(), "app=mysql"); err != nil {
		t.Errorf("err = %v", err)
	}
}

func TestWaitPodsGoneTimeoutNamesPods(t *testing.T) {
	c, _ := newTestClient(t, pod("mysql-1", readyStatus()), pod("mysql-0", readyStatus()))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c.WaitPodsGone(ctx, "app=mysql")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still present: mysql-0, mysql-1") {
		t.Errorf("err = %v, want DeadlineExceeded naming mysql-0, mysql-1", err)
	}
}
