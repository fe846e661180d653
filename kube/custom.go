package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

// The kinds of other projects' APIs kube handles: the Prometheus
// Operator's. They are written as unstructured objects through the dynamic
// client: a handful of fields, where the operator's typed module would
// pin its own k8s.io versions on ours.
const (
	KindPodMonitor     = "podmonitor"
	KindPrometheusRule = "prometheusrule"
)

// customResources maps those kinds to their API resources.
var customResources = map[string]schema.GroupVersionResource{
	KindPodMonitor:     {Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"},
	KindPrometheusRule: {Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"},
}

// customListKinds lets the fake dynamic client of unit tests list them.
var customListKinds = map[schema.GroupVersionResource]string{
	customResources[KindPodMonitor]:     "PodMonitorList",
	customResources[KindPrometheusRule]: "PrometheusRuleList",
}

// Custom is an object of one of the custom kinds, as Apply takes it:
// Object is its whole manifest (apiVersion, kind, metadata, spec).
type Custom struct {
	Kind   string // KindPodMonitor or KindPrometheusRule
	Object map[string]any
}

// GetName is metadata.name, for ApplyConfiguration.
func (c *Custom) GetName() *string { return c.metadataField("name") }

// GetNamespace is metadata.namespace, nil when it has none.
func (c *Custom) GetNamespace() *string { return c.metadataField("namespace") }

func (c *Custom) metadataField(key string) *string {
	meta, _ := c.Object["metadata"].(map[string]any)
	if v, ok := meta[key].(string); ok {
		return &v
	}
	return nil
}

// withLabels merges labels into metadata.labels.
func (c *Custom) withLabels(labels map[string]string) {
	meta, _ := c.Object["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		c.Object["metadata"] = meta
	}
	existing, _ := meta["labels"].(map[string]any)
	if existing == nil {
		existing = map[string]any{}
		if typed, ok := meta["labels"].(map[string]string); ok {
			for k, v := range typed {
				existing[k] = v
			}
		}
	}
	for k, v := range labels {
		existing[k] = v
	}
	meta["labels"] = existing
}

// dynamicClient is made once per Client: from its REST config, or a fake
// one for a client made by NewClientFromInterface.
type dynamicClient struct {
	once sync.Once
	api  dynamic.Interface
	err  error
}

func newDynamic(c *Client) (dynamic.Interface, error) {
	c.dynamic.once.Do(func() {
		if c.config == nil {
			c.dynamic.api = dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), customListKinds)
			return
		}
		c.dynamic.api, c.dynamic.err = dynamic.NewForConfig(c.config)
	})
	return c.dynamic.api, c.dynamic.err
}

// customResource is kind's resource in ns, through the dynamic client.
func (c *Client) customResource(kind, ns string) (resource, error) {
	gvr, ok := customResources[kind]
	if !ok {
		return resource{}, fmt.Errorf("unknown kind %q", kind)
	}
	dyn, err := newDynamic(c)
	if err != nil {
		return resource{}, err
	}
	api := dyn.Resource(gvr).Namespace(ns)
	return newResource(kind, ns,
		func(ctx context.Context, name string, o metav1.GetOptions) (*unstructured.Unstructured, error) {
			return api.Get(ctx, name, o)
		},
		api.List,
		func(ctx context.Context, name string, o metav1.DeleteOptions) error { return api.Delete(ctx, name, o) },
	), nil
}

// customApplier server-side applies o through the dynamic client.
func (c *Client) customApplier(o *Custom, ns string) (func(context.Context, metav1.ApplyOptions) (object, error), error) {
	gvr, ok := customResources[o.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", o.Kind)
	}
	dyn, err := newDynamic(c)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, opts metav1.ApplyOptions) (object, error) {
		raw, err := json.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		return nonNil(dyn.Resource(gvr).Namespace(ns).Patch(ctx, *o.GetName(), types.ApplyPatchType, raw,
			metav1.PatchOptions{FieldManager: opts.FieldManager, Force: &opts.Force}))
	}, nil
}

// Serves says whether the API server serves kind: false when its
// CustomResourceDefinition is not installed.
func (c *Client) Serves(ctx context.Context, kind string) (bool, error) {
	gvr, ok := customResources[kind]
	if !ok {
		return true, nil // the built-in kinds are always served
	}
	list, err := c.clientset.Discovery().ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ask the API server for %s: %w", gvr.GroupVersion(), err)
	}
	for _, r := range list.APIResources {
		if r.Name == gvr.Resource {
			return true, nil
		}
	}
	return false, nil
}
