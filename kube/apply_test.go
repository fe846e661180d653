package kube

import (
	"context"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metaac "k8s.io/client-go/applyconfigurations/meta/v1"
	k8stesting "k8s.io/client-go/testing"
)

func stsConfig(replicas int32, image string) *appsv1ac.StatefulSetApplyConfiguration {
	return appsv1ac.StatefulSet("mysql", testNS).
		WithSpec(appsv1ac.StatefulSetSpec().
			WithReplicas(replicas).
			WithSelector(metaac.LabelSelector().WithMatchLabels(map[string]string{"app": "mysql"})).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(map[string]string{"app": "mysql"}).
				WithSpec(corev1ac.PodSpec().WithContainers(corev1ac.Container().WithName("mysql").WithImage(image)))))
}

func TestApplyReportsCreatedUnchangedConfigured(t *testing.T) {
	ctx := context.Background()
	c, cs := newTestClient(t)
	steps := []struct {
		name string
		obj  ApplyConfiguration
		want Action
	}{
		{"first apply creates", stsConfig(3, "mysql:8.4"), Created},
		{"same config again", stsConfig(3, "mysql:8.4"), Unchanged},
		{"changed image", stsConfig(3, "mysql:8.0"), Configured},
		{"changed again is stable", stsConfig(3, "mysql:8.0"), Unchanged},
		{"configmap created", corev1ac.ConfigMap("mysql", "").WithData(map[string]string{"my.cnf": "a"}), Created},
		{"configmap unchanged", corev1ac.ConfigMap("mysql", "").WithData(map[string]string{"my.cnf": "a"}), Unchanged},
		{"configmap data changed", corev1ac.ConfigMap("mysql", "").WithData(map[string]string{"my.cnf": "b"}), Configured},
		{"service created", corev1ac.Service("mysql", testNS).WithSpec(corev1ac.ServiceSpec().WithClusterIP("None")), Created},
		{"service unchanged", corev1ac.Service("mysql", testNS).WithSpec(corev1ac.ServiceSpec().WithClusterIP("None")), Unchanged},
		{"secret created", corev1ac.Secret("s", testNS).WithStringData(map[string]string{"k": "v"}), Created},
		{"secret label added", corev1ac.Secret("s", testNS).WithStringData(map[string]string{"k": "v"}).WithLabels(map[string]string{"x": "y"}), Configured},
	}
	for _, s := range steps {
		res, err := c.Apply(ctx, s.obj)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.Action != s.want {
			t.Fatalf("%s: got %s, want %s", s.name, res, s.want)
		}
	}
	got, err := cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := got.Spec.Template.Spec.Containers[0].Image; img != "mysql:8.0" {
		t.Errorf("image = %q, want the last applied mysql:8.0", img)
	}
	if got.Labels[ManagedByLabel] != ManagedByValue {
		t.Errorf("labels = %v, want the managed-by label stamped", got.Labels)
	}
	if m := got.ManagedFields; len(m) == 0 || m[0].Manager != FieldManager || m[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Errorf("managedFields = %+v, want an Apply entry by %q", m, FieldManager)
	}
}

func TestApplyStringFormatsLikeKubectl(t *testing.T) {
	c, _ := newTestClient(t)
	res, err := c.Apply(context.Background(), stsConfig(1, "mysql:8.4"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.String(), "statefulset/mysql created"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if res.Namespace != testNS {
		t.Errorf("Namespace = %q, want %q", res.Namespace, testNS)
	}
}

func TestApplyRefusesForeignObject(t *testing.T) {
	foreign := &appsv1.StatefulSet{ObjectMeta: meta("mysql", map[string]string{ManagedByLabel: "Helm"})}
	unlabelled := &corev1.ConfigMap{ObjectMeta: meta("mysql", nil)}
	c, cs := newTestClient(t, foreign, unlabelled)
	ctx := context.Background()

	_, err := c.Apply(ctx, stsConfig(3, "mysql:8.4"))
	if !errors.Is(err, ErrNotManaged) {
		t.Fatalf("err = %v, want ErrNotManaged", err)
	}
	want := "statefulset/mysql in namespace db exists and is not managed by mysqlctl (app.kubernetes.io/managed-by=Helm): delete it or choose another --name"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	got, _ := cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{})
	if got.Spec.Replicas != nil || got.Labels[ManagedByLabel] != "Helm" {
		t.Errorf("foreign statefulset was modified: %+v", got)
	}
	if _, err := c.Apply(ctx, corev1ac.ConfigMap("mysql", testNS)); !errors.Is(err, ErrNotManaged) {
		t.Errorf("unlabelled configmap: err = %v, want ErrNotManaged", err)
	}
}

func TestApplyRejectsUnsupportedOrNameless(t *testing.T) {
	c, _ := newTestClient(t)
	if _, err := c.Apply(context.Background(), corev1ac.Pod("p", testNS)); err == nil || !strings.Contains(err.Error(), "unsupported kind") {
		t.Errorf("pod: err = %v, want unsupported kind", err)
	}
	if _, err := c.Apply(context.Background(), &corev1ac.ConfigMapApplyConfiguration{}); err == nil {
		t.Error("nameless configmap: want an error")
	}
}

func TestCreateSecretIfAbsentKeepsData(t *testing.T) {
	c, cs := newTestClient(t)
	ctx := context.Background()
	first := corev1ac.Secret("mysql", testNS).WithData(map[string][]byte{"password": []byte("first")})
	res, err := c.CreateSecretIfAbsent(ctx, first)
	if err != nil || res.Action != Created {
		t.Fatalf("first: %v, %v; want created", res, err)
	}
	second := corev1ac.Secret("mysql", testNS).WithData(map[string][]byte{"password": []byte("second")})
	res, err = c.CreateSecretIfAbsent(ctx, second)
	if err != nil || res.Action != Unchanged {
		t.Fatalf("second: %v, %v; want unchanged", res, err)
	}
	s, err := cs.CoreV1().Secrets(testNS).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Data["password"]) != "first" {
		t.Errorf("password = %q, want the first one kept", s.Data["password"])
	}
	if s.Labels[ManagedByLabel] != ManagedByValue {
		t.Errorf("labels = %v, want managed-by stamped", s.Labels)
	}
}

func TestCreateSecretIfAbsentRefusesForeign(t *testing.T) {
	c, _ := newTestClient(t, &corev1.Secret{ObjectMeta: meta("mysql", nil)})
	_, err := c.CreateSecretIfAbsent(context.Background(), corev1ac.Secret("mysql", testNS))
	if !errors.Is(err, ErrNotManaged) {
		t.Errorf("err = %v, want ErrNotManaged", err)
	}
}

func TestOutcomeUsesResourceVersionWhenSet(t *testing.T) {
	before := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "7"}, Data: map[string]string{"k": "1"}}
	same := before.DeepCopy()
	statusOnly := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "7"}}
	statusBumped := statusOnly.DeepCopy()
	statusBumped.ResourceVersion, statusBumped.Status.ReadyReplicas = "8", 2
	changed := before.DeepCopy()
	changed.ResourceVersion, changed.Data["k"] = "9", "2"
	for _, tc := range []struct {
		name          string
		before, after object
		want          Action
	}{
		{"created", nil, same, Created},
		{"same resourceVersion", before, same, Unchanged},
		{"only status moved", statusOnly, statusBumped, Unchanged},
		{"data changed", before, changed, Configured},
	} {
		var b object
		if tc.before != nil {
			b = tc.before
		}
		got, err := outcome(b, tc.after)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestPatchStatefulSet(t *testing.T) {
	c, cs := newTestClient(t, statefulSet(3))
	var opts metav1.PatchOptions
	var patchType types.PatchType
	cs.PrependReactor("patch", "statefulsets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.PatchActionImpl)
		opts, patchType = p.PatchOptions, p.GetPatchType()
		return false, nil, nil // let the tracker apply it
	})
	ctx := context.Background()
	if err := c.PatchStatefulSet(ctx, "mysql", []byte(`{"spec":{"replicas":5}}`)); err != nil {
		t.Fatal(err)
	}
	got, err := cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil || *got.Spec.Replicas != 5 {
		t.Fatalf("after patch: %v, %v; want 5 replicas", got, err)
	}
	if patchType != types.MergePatchType || opts.FieldManager != FieldManager {
		t.Errorf("patch type %q, field manager %q; want %q by %q", patchType, opts.FieldManager, types.MergePatchType, FieldManager)
	}
	err = c.PatchStatefulSet(ctx, "nope", []byte(`{"spec":{"replicas":5}}`))
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "patch statefulset db/nope") {
		t.Errorf("missing: err = %v, want NotFound naming it", err)
	}
}

func TestCheckManaged(t *testing.T) {
	if err := CheckManaged(KindStatefulSet, statefulSet(1), "hint"); err != nil {
		t.Errorf("ours: err = %v", err)
	}
	foreign := &appsv1.StatefulSet{ObjectMeta: meta("mysql", map[string]string{ManagedByLabel: "Helm"})}
	err := CheckManaged(KindStatefulSet, foreign, "scale it with the tool that created it")
	want := "statefulset/mysql in namespace db exists and is not managed by mysqlctl (app.kubernetes.io/managed-by=Helm): scale it with the tool that created it"
	if !errors.Is(err, ErrNotManaged) || err.Error() != want {
		t.Errorf("foreign: err = %v\nwant %s", err, want)
	}
}
