package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

var (
	crdResource            = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	podMonitorResource     = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"}
	prometheusRuleResource = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"}
)

// metricsOperatorObjects: cluster ns (metrics on) was made without the
// Prometheus Operator's CRDs, and has no PodMonitor; with the CRDs alone
// installed (no operator: the objects are only written), the next up
// applies the PodMonitor and the PrometheusRule; metrics false deletes
// them and the exporter.
func metricsOperatorObjects(t *testing.T, ctx context.Context, c *testCluster, ns string) {
	dyn, err := dynamic.NewForConfig(c.config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(podMonitorResource).Namespace(ns).Get(ctx, "mysql", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a PodMonitor without its CRD: %v", err)
	}
	for _, kind := range []struct{ plural, kind string }{{"podmonitors", "PodMonitor"}, {"prometheusrules", "PrometheusRule"}} {
		installCRD(t, ctx, dyn, kind.plural, kind.kind)
	}
	for _, r := range []schema.GroupVersionResource{podMonitorResource, prometheusRuleResource} {
		waitServed(t, ctx, dyn, r)
	}

	out := c.mustSucceed(t, 3*time.Minute, "up", "-n", ns)
	for _, want := range []string{"podmonitor/mysql created", "prometheusrule/mysql created"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("up with the CRDs installed did not say %q:\n%s", want, out)
		}
	}
	pm, err := dyn.Resource(podMonitorResource).Namespace(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	endpoints, _, _ := unstructured.NestedSlice(pm.Object, "spec", "podMetricsEndpoints")
	if len(endpoints) != 1 || endpoints[0].(map[string]any)["port"] != "metrics" {
		t.Errorf("the PodMonitor scrapes %v, want the port named metrics", endpoints)
	}
	rule, err := dyn.Resource(prometheusRuleResource).Namespace(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	groups, _, _ := unstructured.NestedSlice(rule.Object, "spec", "groups")
	text := strings.ReplaceAll(strings.Join(flatten(groups), " "), "\n", " ")
	for _, want := range []string{"MySQLMoreThanOneWritable", "MySQLCertificateEnds", `namespace="` + ns + `"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the PrometheusRule has no %s", want)
		}
	}

	out = c.mustSucceed(t, 5*time.Minute, "up", "-n", ns, "--metrics", "false")
	t.Logf("up --metrics false took %s:\n%s", out.took.Round(time.Second), out.stdout)
	for _, want := range []string{"podmonitor/mysql deleted", "prometheusrule/mysql deleted"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("up --metrics false did not say %q:\n%s", want, out)
		}
	}
	sts, err := c.client.AppsV1().StatefulSets(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ctr := range sts.Spec.Template.Spec.Containers {
		if ctr.Name == manifest.ContainerMetrics {
			t.Error("up --metrics false left the exporter in the pods")
		}
	}
}

// installCRD installs a CustomResourceDefinition of the Prometheus
// Operator's group that takes any spec: the API alone, with no operator.
func installCRD(t *testing.T, ctx context.Context, dyn dynamic.Interface, plural, kind string) {
	t.Helper()
	name := plural + ".monitoring.coreos.com"
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": name},
		"spec": map[string]any{
			"group": "monitoring.coreos.com",
			"names": map[string]any{"plural": plural, "kind": kind, "singular": strings.ToLower(kind), "listKind": kind + "List"},
			"scope": "Namespaced",
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
	if _, err := dyn.Resource(crdResource).Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("install CRD %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dyn.Resource(crdResource).Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete CRD %s: %v", name, err)
		}
	})
}

// waitServed waits until the API server lists r.
func waitServed(t *testing.T, ctx context.Context, dyn dynamic.Interface, r schema.GroupVersionResource) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := dyn.Resource(r).List(ctx, metav1.ListOptions{Limit: 1})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not served a minute after its CRD: %v", r.Resource, err)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// flatten is every string inside v, depth first.
func flatten(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return nil
}
