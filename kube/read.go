package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// ListPods lists the pods in c.Namespace matching a label selector
// ("app.kubernetes.io/instance=mysql"), sorted by StatefulSet ordinal.
func (c *Client) ListPods(ctx context.Context, selector string) ([]corev1.Pod, error) {
	sel, err := parseSelector("list pods", selector)
	if err != nil {
		return nil, err
	}
	list, err := c.clientset.CoreV1().Pods(c.namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("list pods %s in namespace %s: %w", selector, c.namespace, err)
	}
	SortByOrdinal(list.Items)
	return list.Items, nil
}

// ListPVCs lists the PersistentVolumeClaims in c.Namespace matching a label
// selector, sorted by the ordinal that ends their names ("data-mysql-2").
func (c *Client) ListPVCs(ctx context.Context, selector string) ([]corev1.PersistentVolumeClaim, error) {
	sel, err := parseSelector("list persistentvolumeclaims", selector)
	if err != nil {
		return nil, err
	}
	list, err := c.clientset.CoreV1().PersistentVolumeClaims(c.namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("list persistentvolumeclaims %s in namespace %s: %w", selector, c.namespace, err)
	}
	slices.SortStableFunc(list.Items, func(a, b corev1.PersistentVolumeClaim) int { return compareByOrdinal(a.Name, b.Name) })
	return list.Items, nil
}

// ListStatefulSets lists the StatefulSets in c.Namespace matching a label
// selector, sorted by name.
func (c *Client) ListStatefulSets(ctx context.Context, selector string) ([]appsv1.StatefulSet, error) {
	sel, err := parseSelector("list statefulsets", selector)
	if err != nil {
		return nil, err
	}
	list, err := c.clientset.AppsV1().StatefulSets(c.namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("list statefulsets %s in namespace %s: %w", selector, c.namespace, err)
	}
	slices.SortFunc(list.Items, func(a, b appsv1.StatefulSet) int { return strings.Compare(a.Name, b.Name) })
	return list.Items, nil
}

// parseSelector checks a label selector before it reaches the API server,
// so a typo is an error here rather than a server-side 400; what names the
// call for the error.
func parseSelector(what, selector string) (string, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return "", fmt.Errorf("%s: invalid selector %q: %w", what, selector, err)
	}
	return sel.String(), nil
}

// GetSecret reads Secret name in c.Namespace. Like GetStatefulSet it returns
// (nil, nil) when there is none. Callers must never print its Data.
func (c *Client) GetSecret(ctx context.Context, name string) (*corev1.Secret, error) {
	return getOrNil(ctx, c.clientset.CoreV1().Secrets(c.namespace).Get, KindSecret, c.namespace, name)
}

// GetConfigMap reads ConfigMap name in c.Namespace; (nil, nil) when there
// is none.
func (c *Client) GetConfigMap(ctx context.Context, name string) (*corev1.ConfigMap, error) {
	return getOrNil(ctx, c.clientset.CoreV1().ConfigMaps(c.namespace).Get, KindConfigMap, c.namespace, name)
}

// GetStatefulSet reads StatefulSet name in c.Namespace. It returns (nil, nil)
// when there is none; any other failure, Forbidden included, is an error.
func (c *Client) GetStatefulSet(ctx context.Context, name string) (*appsv1.StatefulSet, error) {
	return getOrNil(ctx, c.clientset.AppsV1().StatefulSets(c.namespace).Get, KindStatefulSet, c.namespace, name)
}

// getOrNil calls a typed client's Get: NotFound is (nil, nil), any other
// failure "get <kind> <ns>/<name>: ...".
func getOrNil[T any](ctx context.Context, get func(context.Context, string, metav1.GetOptions) (*T, error), kind, ns, name string) (*T, error) {
	obj, err := get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s/%s: %w", kind, ns, name, err)
	}
	return obj, nil
}

// Exists reports whether object kind/name (kind one of the Kind constants)
// exists in c.Namespace. Only NotFound means false; any other failure,
// Forbidden included, is an error, as is an unknown kind.
func (c *Client) Exists(ctx context.Context, kind, name string) (bool, error) {
	r, err := c.resourceOf(kind, c.namespace)
	if err != nil {
		return false, fmt.Errorf("get %s %s/%s: %w", kind, c.namespace, name, err)
	}
	_, err = r.get(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	}
	return false, fmt.Errorf("get %s %s/%s: %w", kind, c.namespace, name, err)
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

// compareByOrdinal is SortByOrdinal's order on names.
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

// ServerVersion is the API server's version, such as v1.34.4.
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	if rc := c.clientset.Discovery().RESTClient(); rc != nil {
		var info struct {
			GitVersion string `json:"gitVersion"`
		}
		raw, err := rc.Get().AbsPath("/version").Do(ctx).Raw()
		if err != nil {
			return "", fmt.Errorf("read the server version: %w", err)
		}
		if err := json.Unmarshal(raw, &info); err != nil {
			return "", fmt.Errorf("read the server version: %w", err)
		}
		return info.GitVersion, nil
	}
	info, err := c.clientset.Discovery().ServerVersion()
	if err != nil {
		return "", fmt.Errorf("read the server version: %w", err)
	}
	return info.GitVersion, nil
}

// Capacity is what the schedulable nodes offer pods, summed.
type Capacity struct {
	Nodes  int
	CPU    apiresource.Quantity
	Memory apiresource.Quantity
}

// SchedulableCapacity sums the allocatable CPU and memory of the nodes that
// are Ready and not cordoned.
func (c *Client) SchedulableCapacity(ctx context.Context) (Capacity, error) {
	nodes, err := c.clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return Capacity{}, fmt.Errorf("list nodes: %w", err)
	}
	var out Capacity
	for _, n := range nodes.Items {
		if n.Spec.Unschedulable || !nodeReady(&n) {
			continue
		}
		out.Nodes++
		out.CPU.Add(n.Status.Allocatable[corev1.ResourceCPU])
		out.Memory.Add(n.Status.Allocatable[corev1.ResourceMemory])
	}
	return out, nil
}

// NodeCordoned says whether node is cordoned (spec.unschedulable), as
// kubectl cordon and drain leave it.
func (c *Client) NodeCordoned(ctx context.Context, name string) (bool, error) {
	n, err := c.clientset.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false, fmt.Errorf("read node %s: %w", name, err)
	}
	return n.Spec.Unschedulable, nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// NodeImages lists the images the nodes report holding (node
// status.images), each under every name the runtime gave it.
func (c *Client) NodeImages(ctx context.Context) (map[string][]string, error) {
	nodes, err := c.clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	out := map[string][]string{}
	for _, n := range nodes.Items {
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				out[name] = append(out[name], n.Name)
			}
		}
	}
	return out, nil
}
