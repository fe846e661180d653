package kube

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// ListPods lists the pods in c.Namespace matching a label selector
// ("app.kubernetes.io/instance=mysql"), sorted by StatefulSet ordinal.
func (c *Client) ListPods(ctx context.Context, selector string) ([]corev1.Pod, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return nil, fmt.Errorf("list pods: invalid selector %q: %w", selector, err)
	}
	list, err := c.Clientset.CoreV1().Pods(c.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("list pods %s in namespace %s: %w", selector, c.Namespace, err)
	}
	pods := list.Items
	SortByOrdinal(pods)
	return pods, nil
}

// Ordinal parses the StatefulSet ordinal from a pod name ("mysql-2" -> 2).
func Ordinal(name string) (int, bool) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// SortByOrdinal orders pods by ordinal so "mysql-10" follows "mysql-9";
// names without an ordinal go last, by name.
func SortByOrdinal(pods []corev1.Pod) {
	slices.SortStableFunc(pods, func(a, b corev1.Pod) int { return compareByOrdinal(a.Name, b.Name) })
}

func compareByOrdinal(a, b string) int {
	oa, okA := Ordinal(a)
	ob, okB := Ordinal(b)
	switch {
	case okA && okB && oa != ob:
		return oa - ob
	case okA != okB:
		if okA {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// GetSecret reads a Secret in c.Namespace. NotFound stays detectable with
// apierrors.IsNotFound. Callers must never print its Data.
func (c *Client) GetSecret(ctx context.Context, name string) (*corev1.Secret, error) {
	s, err := c.Clientset.CoreV1().Secrets(c.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get secret %s/%s: %w", c.Namespace, name, err)
	}
	return s, nil
}

// maxLogBytes bounds a log tail so a container logging huge lines cannot
// flood an error message.
const maxLogBytes = 64 << 10

// PodLogsTail returns the last lines of a container's log in c.Namespace;
// previous selects the last terminated instance, the one that crashed.
func (c *Client) PodLogsTail(ctx context.Context, pod, container string, lines int64, previous bool) ([]string, error) {
	return c.logsTail(ctx, c.Namespace, pod, container, lines, previous)
}

func (c *Client) logsTail(ctx context.Context, ns, pod, container string, lines int64, previous bool) ([]string, error) {
	limit := int64(maxLogBytes)
	opts := &corev1.PodLogOptions{Container: container, TailLines: &lines, Previous: previous, LimitBytes: &limit}
	raw, err := c.Clientset.CoreV1().Pods(ns).GetLogs(pod, opts).DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("get logs of container %s in pod %s/%s: %w", container, ns, pod, err)
	}
	text := strings.TrimRight(string(raw), "\n")
	if text == "" {
		return nil, nil
	}
	return strings.Split(text, "\n"), nil
}
