package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
)

// WaitContainerRunning waits, with a watch, until container (an init
// container or a regular one) of pod runs, and returns an error that says
// what the pod was doing when ctx ends first.
func (c *Client) WaitContainerRunning(ctx context.Context, pod, container string) error {
	pods := c.clientset.CoreV1().Pods(c.namespace)
	seen := "no pod yet"
	for {
		list, err := pods.List(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", pod).String()})
		if err != nil {
			return fmt.Errorf("wait for %s/%s: %w", c.namespace, pod, err)
		}
		for i := range list.Items {
			if running(&list.Items[i], container) {
				return nil
			}
			seen = ProgressOf(&list.Items[i]).String()
		}
		w, err := pods.Watch(ctx, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("metadata.name", pod).String(), ResourceVersion: list.ResourceVersion,
		})
		if err != nil {
			return fmt.Errorf("watch %s/%s: %w", c.namespace, pod, err)
		}
		done, err := c.watchUntilRunning(ctx, w, container, &seen)
		w.Stop()
		if done {
			return err
		}
		// The watch ended (a timeout of the API server's): list again.
	}
}

func (c *Client) watchUntilRunning(ctx context.Context, w watch.Interface, container string, seen *string) (bool, error) {
	for {
		select {
		case <-ctx.Done():
			return true, fmt.Errorf("container %s never ran (last seen: %s): %w", container, *seen, ctx.Err())
		case ev, ok := <-w.ResultChan():
			if !ok {
				return false, nil
			}
			if ev.Type == watch.Error {
				return true, fmt.Errorf("watch: %w", apierrors.FromObject(ev.Object))
			}
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			if running(p, container) {
				return true, nil
			}
			*seen = ProgressOf(p).String()
		}
	}
}

func running(p *corev1.Pod, container string) bool {
	for _, s := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if s.Name == container && s.State.Running != nil {
			return true
		}
	}
	return false
}
