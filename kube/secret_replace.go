package kube

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// ReplaceSecret writes secret whole, on the condition that nobody wrote it
// since it was read (its resourceVersion): a write in between fails with a
// Conflict (IsLostRace) and changes nothing. Keys left out of secret.Data
// are removed. It returns what was written, with its new version. The
// error names the Secret, never its data.
func (c *Client) ReplaceSecret(ctx context.Context, secret *corev1.Secret) (*corev1.Secret, error) {
	secret = secret.DeepCopy()
	secret.Namespace = c.namespace
	out, err := c.clientset.CoreV1().Secrets(c.namespace).Update(ctx, secret, metav1.UpdateOptions{FieldManager: FieldManager})
	if err != nil {
		return nil, fmt.Errorf("write secret %s/%s: %w", c.namespace, secret.Name, err)
	}
	return out, nil
}

// AnnotatePod sets one annotation on pod (a merge patch). The kubelet syncs
// a pod when it changes, which rewrites its Secret volumes at once rather
// than at its next periodic sync (about a minute later).
func (c *Client) AnnotatePod(ctx context.Context, pod, key, value string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	if err != nil {
		return err
	}
	_, err = c.clientset.CoreV1().Pods(c.namespace).Patch(ctx, pod, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
	if err != nil {
		return fmt.Errorf("annotate pod %s/%s: %w", c.namespace, pod, err)
	}
	return nil
}
