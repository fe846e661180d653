package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// waitGone polls until present reports nothing left. Deletions finish
// asynchronously (finalizers, the garbage collector), and these are short
// waits on a handful of names, so a poll is simpler than a watch per kind.
func waitGone(ctx context.Context, present func(context.Context) ([]string, error)) error {
	var left []string
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		var err error
		left, err = present(ctx)
		return len(left) == 0, err
	})
	if err != nil {
		return fmt.Errorf("still present: %s: %w", strings.Join(left, ", "), err)
	}
	return nil
}

// presentPVCs lists the cluster's volume claims that still exist.
func (m *Manager) presentPVCs(selector string) func(context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		list, err := m.Kube.Clientset.CoreV1().PersistentVolumeClaims(m.Kube.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(list.Items))
		for _, pvc := range list.Items {
			names = append(names, "persistentvolumeclaim/"+pvc.Name)
		}
		return names, nil
	}
}
