package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReplaceConfigMap writes cm whole, on the condition that nobody wrote it
// since it was read: an existing cm (with the resourceVersion it was read
// at) is updated, a new one (create) created. A write in
// between, or a ConfigMap created meanwhile, fails with a Conflict or
// AlreadyExists (IsLostRace) and changes nothing. Unlike Apply, keys left
// out of cm.Data are removed whoever set them: the caller holds the
// whole content. It returns what was written, with its new version.
func (c *Client) ReplaceConfigMap(ctx context.Context, cm *corev1.ConfigMap, create bool) (*corev1.ConfigMap, Result, error) {
	cm = cm.DeepCopy()
	cm.Namespace = c.namespace
	if cm.Labels == nil {
		cm.Labels = map[string]string{}
	}
	cm.Labels[ManagedByLabel] = ManagedByValue
	res := Result{Kind: KindConfigMap, Namespace: c.namespace, Name: cm.Name, Action: Configured}
	var (
		out *corev1.ConfigMap
		err error
	)
	if create {
		res.Action = Created
		out, err = c.clientset.CoreV1().ConfigMaps(c.namespace).Create(ctx, cm, metav1.CreateOptions{FieldManager: FieldManager})
	} else {
		out, err = c.clientset.CoreV1().ConfigMaps(c.namespace).Update(ctx, cm, metav1.UpdateOptions{FieldManager: FieldManager})
	}
	if err != nil {
		return nil, res, fmt.Errorf("write configmap %s/%s: %w", c.namespace, cm.Name, err)
	}
	return out, res, nil
}

// IsLostRace: a conditional write failed because someone else wrote first.
func IsLostRace(err error) bool { return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) }
