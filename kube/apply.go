package kube

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
)

// ApplyConfiguration is one of the apply configurations Apply accepts:
// *corev1ac.SecretApplyConfiguration, *corev1ac.ConfigMapApplyConfiguration,
// *corev1ac.ServiceApplyConfiguration, *appsv1ac.StatefulSetApplyConfiguration
// *policyv1ac.PodDisruptionBudgetApplyConfiguration or
// *networkingv1ac.NetworkPolicyApplyConfiguration.
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

// applyTarget maps obj's concrete type to its kind and typed Apply. It is
// the one place that lists the kinds Apply supports.
func (c *Client) applyTarget(obj ApplyConfiguration) (applyTarget, error) {
	if obj == nil || obj.GetName() == nil || *obj.GetName() == "" {
		return applyTarget{}, fmt.Errorf("apply: object has no name")
	}
	ns := c.namespace
	if p := obj.GetNamespace(); p != nil && *p != "" {
		ns = *p
	}
	t := applyTarget{name: *obj.GetName()}
	ours := map[string]string{ManagedByLabel: ManagedByValue}
	var kind string
	switch o := obj.(type) {
	case *corev1ac.SecretApplyConfiguration:
		o.WithLabels(ours)
		kind, t.apply = KindSecret, applier(o, c.clientset.CoreV1().Secrets(ns).Apply)
	case *corev1ac.ConfigMapApplyConfiguration:
		o.WithLabels(ours)
		kind, t.apply = KindConfigMap, applier(o, c.clientset.CoreV1().ConfigMaps(ns).Apply)
	case *corev1ac.ServiceApplyConfiguration:
		o.WithLabels(ours)
		kind, t.apply = KindService, applier(o, c.clientset.CoreV1().Services(ns).Apply)
	case *appsv1ac.StatefulSetApplyConfiguration:
		o.WithLabels(ours)
		kind, t.apply = KindStatefulSet, applier(o, c.clientset.AppsV1().StatefulSets(ns).Apply)
	case *policyv1ac.PodDisruptionBudgetApplyConfiguration:
		o.WithLabels(ours)
		kind, t.apply = KindPodDisruptionBudget, applier(o, c.clientset.PolicyV1().PodDisruptionBudgets(ns).Apply)
	case *networkingv1ac.NetworkPolicyApplyConfiguration:
		o.WithLabels(ours)
		kind, t.apply = KindNetworkPolicy, applier(o, c.clientset.NetworkingV1().NetworkPolicies(ns).Apply)
	case *Custom:
		o.withLabels(ours)
		kind = o.Kind
		var err error
		if t.apply, err = c.customApplier(o, ns); err != nil {
			return applyTarget{}, err
		}
	default:
		return applyTarget{}, fmt.Errorf("apply %s: unsupported kind %T", t.name, obj)
	}
	var err error
	t.resource, err = c.resourceOf(kind, ns)
	return t, err
}

// applier binds a typed client's Apply method to the configuration ac.
func applier[AC any, T object](ac AC, apply func(context.Context, AC, metav1.ApplyOptions) (T, error)) func(context.Context, metav1.ApplyOptions) (object, error) {
	return func(ctx context.Context, opts metav1.ApplyOptions) (object, error) {
		return nonNil(apply(ctx, ac, opts))
	}
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
	_, err = c.clientset.CoreV1().Secrets(t.ns).Create(ctx, s, metav1.CreateOptions{FieldManager: FieldManager})
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

// PatchStatefulSet applies a JSON merge patch (RFC 7386) to StatefulSet name
// in c.Namespace, as field manager FieldManager. Unlike Apply it neither
// checks the managed-by label nor reports what changed.
func (c *Client) PatchStatefulSet(ctx context.Context, name string, mergePatch []byte) error {
	_, err := c.clientset.AppsV1().StatefulSets(c.namespace).Patch(ctx, name, types.MergePatchType, mergePatch,
		metav1.PatchOptions{FieldManager: FieldManager})
	if err != nil {
		return fmt.Errorf("patch statefulset %s/%s: %w", c.namespace, name, err)
	}
	return nil
}

// outcome decides kubectl's verdict for an apply. before is nil when the
// object did not exist.
//
// A real API server skips the write of a no-op apply, so an unchanged
// resourceVersion means unchanged. When it did change, the content is
// compared without the fields others write (status, managedFields,
// resourceVersion, generation): the StatefulSet controller may have updated
// status between our Get and our apply, which is not our change. The content
// comparison is also what makes fake clientsets work: they never set
// resourceVersion.
func outcome(before, after object) (Action, error) {
	if before == nil {
		return Created, nil
	}
	if rv := before.GetResourceVersion(); rv != "" && rv == after.GetResourceVersion() {
		return Unchanged, nil
	}
	a, err := ownContent(before)
	if err != nil {
		return "", err
	}
	b, err := ownContent(after)
	if err != nil {
		return "", err
	}
	if equality.Semantic.DeepEqual(a, b) {
		return Unchanged, nil
	}
	return Configured, nil
}

// ownContent is obj as a map without the fields written by others or bumped
// by any write.
func ownContent(obj object) (map[string]any, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("compare %T: %w", obj, err)
	}
	delete(m, "status")
	delete(m, "apiVersion")
	delete(m, "kind")
	if meta, ok := m["metadata"].(map[string]any); ok {
		for _, k := range []string{"resourceVersion", "managedFields", "generation"} {
			delete(meta, k)
		}
	}
	return m, nil
}

// Action is what a mutation did, worded as kubectl prints it.
type Action string

// Actions reported by Apply, CreateSecretIfAbsent, EnsureNamespace and the Delete methods.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
	Deleted    Action = "deleted"
	// NotFound: a Delete method found nothing to delete, which is not an error.
	NotFound Action = "not found"
)

// Result names the object a mutation touched and what it did to it.
type Result struct {
	Kind      string // lower-case singular, as kubectl prints it: "statefulset"
	Namespace string // empty for cluster-scoped objects
	Name      string
	Action    Action
	// UID is the deleted object's, for a wait that must tell it from a
	// successor of the same name (Delete only).
	UID types.UID
}

// String renders the result like kubectl: "statefulset/mysql unchanged".
func (r Result) String() string {
	return fmt.Sprintf("%s/%s %s", r.Kind, r.Name, r.Action)
}
