package kube

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// ApplyConfiguration is one of the apply configurations Apply accepts:
// *corev1ac.SecretApplyConfiguration, *corev1ac.ConfigMapApplyConfiguration,
// *corev1ac.ServiceApplyConfiguration or *appsv1ac.StatefulSetApplyConfiguration.
type ApplyConfiguration interface {
	GetName() *string
	GetNamespace() *string
}

// hintApply ends the ErrNotManaged sentence when Apply meets a foreign object.
const hintApply = "delete it or choose another --name"

// applyTarget is an apply configuration resolved to its kind's client.
type applyTarget struct {
	resource
	name  string
	apply func(ctx context.Context, opts metav1.ApplyOptions) (object, error)
}

// Apply server-side applies obj with field manager "mysqlctl" and Force (we
// own our objects' fields), and reports kubectl's verdict: created, configured
// or unchanged. It refuses to take over an existing object without
// app.kubernetes.io/managed-by=mysqlctl (ErrNotManaged), and stamps that
// label on obj so the objects it creates are recognised as ours later.
// An obj without a namespace goes to c.Namespace.
func (c *Client) Apply(ctx context.Context, obj ApplyConfiguration) (Result, error) {
	t, err := c.applyTarget(obj)
	if err != nil {
		return Result{}, err
	}
	res := Result{Kind: t.kind, Namespace: t.ns, Name: t.name}
	before, err := t.owned(ctx, t.name, hintApply)
	if err != nil {
		return res, err
	}
	after, err := t.apply(ctx, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return res, fmt.Errorf("apply %s %s/%s: %w", t.kind, t.ns, t.name, err)
	}
	res.Action, err = outcome(before, after)
	if err != nil {
		return res, fmt.Errorf("apply %s %s/%s: %w", t.kind, t.ns, t.name, err)
	}
	return res, nil
}

// applyTarget maps obj's concrete type to its typed client. It is the one
// place that lists the kinds Apply supports.
func (c *Client) applyTarget(obj ApplyConfiguration) (applyTarget, error) {
	if obj == nil || obj.GetName() == nil || *obj.GetName() == "" {
		return applyTarget{}, fmt.Errorf("apply: object has no name")
	}
	ns := c.Namespace
	if p := obj.GetNamespace(); p != nil && *p != "" {
		ns = *p
	}
	t := applyTarget{name: *obj.GetName()}
	ours := map[string]string{ManagedByLabel: ManagedByValue}
	switch o := obj.(type) {
	case *corev1ac.SecretApplyConfiguration:
		api := c.Clientset.CoreV1().Secrets(ns)
		o.WithLabels(ours)
		t.resource, t.apply = c.secrets(ns), func(ctx context.Context, opts metav1.ApplyOptions) (object, error) {
			return nonNil(api.Apply(ctx, o, opts))
		}
	case *corev1ac.ConfigMapApplyConfiguration:
		api := c.Clientset.CoreV1().ConfigMaps(ns)
		o.WithLabels(ours)
		t.resource, t.apply = c.configMaps(ns), func(ctx context.Context, opts metav1.ApplyOptions) (object, error) {
			return nonNil(api.Apply(ctx, o, opts))
		}
	case *corev1ac.ServiceApplyConfiguration:
		api := c.Clientset.CoreV1().Services(ns)
		o.WithLabels(ours)
		t.resource, t.apply = c.services(ns), func(ctx context.Context, opts metav1.ApplyOptions) (object, error) {
			return nonNil(api.Apply(ctx, o, opts))
		}
	case *appsv1ac.StatefulSetApplyConfiguration:
		api := c.Clientset.AppsV1().StatefulSets(ns)
		o.WithLabels(ours)
		t.resource, t.apply = c.statefulSets(ns), func(ctx context.Context, opts metav1.ApplyOptions) (object, error) {
			return nonNil(api.Apply(ctx, o, opts))
		}
	default:
		return applyTarget{}, fmt.Errorf("apply %s: unsupported kind %T", t.name, obj)
	}
	return t, nil
}

// nonNil keeps a typed nil pointer out of the object interface on error.
func nonNil[T object](obj T, err error) (object, error) {
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// CreateSecretIfAbsent creates secret unless it exists, and never rewrites
// an existing one: its data (generated passwords) is made once. An existing
// Secret that mysqlctl manages is reported Unchanged without being touched;
// a foreign one is ErrNotManaged. It uses Create, not apply, so that two
// racing runs cannot both write their own data: the loser gets AlreadyExists.
func (c *Client) CreateSecretIfAbsent(ctx context.Context, secret *corev1ac.SecretApplyConfiguration) (Result, error) {
	t, err := c.applyTarget(secret) // stamps the managed-by label
	if err != nil {
		return Result{}, err
	}
	res := Result{Kind: t.kind, Namespace: t.ns, Name: t.name, Action: Unchanged}
	if existing, err := t.owned(ctx, t.name, hintApply); err != nil || existing != nil {
		return res, err
	}
	s, err := secretFromApplyConfiguration(secret)
	if err != nil {
		return res, fmt.Errorf("create secret %s/%s: %w", t.ns, t.name, err)
	}
	s.Namespace = t.ns
	_, err = c.Clientset.CoreV1().Secrets(t.ns).Create(ctx, s, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		_, err = t.owned(ctx, t.name, hintApply) // lost a race: keep the winner's data if it is ours
		return res, err
	}
	if err != nil {
		return res, fmt.Errorf("create secret %s/%s: %w", t.ns, t.name, err)
	}
	res.Action = Created
	return res, nil
}

// secretFromApplyConfiguration converts through JSON: apply configurations
// marshal to exactly the object's wire form.
func secretFromApplyConfiguration(ac *corev1ac.SecretApplyConfiguration) (*corev1.Secret, error) {
	raw, err := json.Marshal(ac)
	if err != nil {
		return nil, err
	}
	s := &corev1.Secret{}
	if err := json.Unmarshal(raw, s); err != nil {
		return nil, err
	}
	return s, nil
}

// RefuseForeign returns ErrNotManaged for the first of objs that exists
// without app.kubernetes.io/managed-by=mysqlctl, and writes nothing. Callers
// check a whole set first so that a foreign third object does not stop them
// after they already wrote the first two.
func (c *Client) RefuseForeign(ctx context.Context, objs ...ApplyConfiguration) error {
	for _, obj := range objs {
		t, err := c.applyTarget(obj)
		if err != nil {
			return err
		}
		if _, err := t.owned(ctx, t.name, hintApply); err != nil {
			return err
		}
	}
	return nil
}
