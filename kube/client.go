// Package kube holds mysqlctl's thin client-go adapters: a client built from
// kubeconfig, context and namespace; server-side apply that reports what it
// changed; deletions limited to objects mysqlctl manages; waits that explain
// a stalled roll-out or name what is still there; and port-forwarding to pods.
//
// It knows Kubernetes, not MySQL: callers build the objects and choose the
// label selectors, this package sends, watches and diagnoses them.
package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ConnectOptions selects the cluster the way kubectl's flags do.
type ConnectOptions struct {
	// Kubeconfig is a kubeconfig path (--kubeconfig); it overrides KUBECONFIG.
	Kubeconfig string
	// Context is a kubeconfig context name (--context); empty means current-context.
	Context string
	// Namespace (-n) overrides the context's namespace.
	Namespace string
}

// Client is a Kubernetes client bound to one namespace, fixed when it is
// made. Callers reach Kubernetes only through its methods, never the
// clientset, and every method acts in that namespace.
type Client struct {
	// clientset is the typed client; a fake.Clientset in unit tests.
	clientset kubernetes.Interface
	// config is the REST config the clientset was built from. It is nil for
	// clients made by NewClientFromInterface; ForwardPort, DialPod and Exec
	// need it.
	config *rest.Config
	// namespace is --namespace, else the context's namespace, else "default".
	namespace string
	// dynamic reaches the custom kinds (custom.go).
	dynamic *dynamicClient
}

// Namespace is the namespace every method of c acts in.
func (c *Client) Namespace() string { return c.namespace }

// NewClient loads the kubeconfig with kubectl's rules (--kubeconfig, else
// KUBECONFIG, else ~/.kube/config, else in-cluster) and applies the context
// and namespace overrides. It does not contact the cluster: see Ping.
func NewClient(opts ConnectOptions) (*Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = opts.Kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: opts.Context}
	overrides.Context.Namespace = opts.Namespace
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)

	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, kubeconfigError(err)
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, kubeconfigError(err)
	}
	cfg.UserAgent = "mysqlctl"
	// client-go's default limit (5 QPS, burst 10) throttles a CLI that
	// starts several watches and port-forwards at once; kubectl raises it too.
	cfg.QPS, cfg.Burst = 50, 100
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, newError(ErrNoKubeconfig, err, "%s: %v", ErrNoKubeconfig, err)
	}
	return &Client{clientset: cs, config: cfg, namespace: ns, dynamic: &dynamicClient{}}, nil
}

// NewClientFromInterface wraps an existing clientset, typically
// fake.NewClientset() in tests. An empty ns means "default".
func NewClientFromInterface(cs kubernetes.Interface, ns string) *Client {
	if ns == "" {
		ns = "default"
	}
	return &Client{clientset: cs, namespace: ns, dynamic: &dynamicClient{}}
}

// kubeconfigError turns clientcmd's loading errors into an ErrNoKubeconfig
// sentence with the next step.
func kubeconfigError(err error) error {
	if clientcmd.IsEmptyConfig(err) {
		return newError(ErrNoKubeconfig, err,
			"%s: none found in --kubeconfig, $KUBECONFIG or ~/.kube/config: pass --kubeconfig or set KUBECONFIG", ErrNoKubeconfig)
	}
	return newError(ErrNoKubeconfig, err, "%s: %v: check --kubeconfig and --context", ErrNoKubeconfig, err)
}

// Ping asks the API server for its version, bounded by ctx, so a command
// fails fast with ErrUnreachable instead of hanging on its first real call.
func (c *Client) Ping(ctx context.Context) error {
	err := c.serverVersion(ctx)
	if err == nil {
		return nil
	}
	if cause, ok := transportCause(err); ok {
		return newError(ErrUnreachable, err, "%s at %s: %v: is the cluster running? check --kubeconfig/--context",
			ErrUnreachable, c.Host(), cause)
	}
	return fmt.Errorf("ask the Kubernetes API server at %s for its version: %w", c.Host(), err)
}

// serverVersion calls GET /version with ctx; discovery's ServerVersion takes
// no context, so it is only the fallback for fake clientsets.
func (c *Client) serverVersion(ctx context.Context) error {
	if rc := c.clientset.Discovery().RESTClient(); rc != nil {
		return rc.Get().AbsPath("/version").Do(ctx).Error()
	}
	_, err := c.clientset.Discovery().ServerVersion()
	return err
}

// Host is the API server URL, or "<unknown>" for clients without a Config.
func (c *Client) Host() string {
	if c.config == nil || c.config.Host == "" {
		return "<unknown>"
	}
	return c.config.Host
}

// EnsureNamespace checks that namespace name exists, creating it (labelled
// managed-by=mysqlctl) when create is true. A missing namespace without
// create is ErrNamespaceNotFound. A namespace being deleted is an error,
// because nothing can be created in it.
//
// Users whose RBAC stops at their namespace may not read Namespace objects;
// a Forbidden answer is then taken to mean the namespace exists (Unchanged),
// and later calls report any real problem.
func (c *Client) EnsureNamespace(ctx context.Context, name string, create bool) (Result, error) {
	res := Result{Kind: "namespace", Name: name, Action: Unchanged}
	api := c.clientset.CoreV1().Namespaces()
	ns, err := api.Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		if ns.Status.Phase == corev1.NamespaceTerminating || ns.DeletionTimestamp != nil {
			return res, fmt.Errorf("namespace %s is being deleted: wait until it is gone or choose another namespace", name)
		}
		return res, nil
	case apierrors.IsForbidden(err) && !create:
		return res, nil
	case apierrors.IsNotFound(err) && !create:
		return res, newError(ErrNamespaceNotFound, err, "namespace %s not found: create it or pass --create-namespace", name)
	case !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err):
		return res, fmt.Errorf("get namespace %s: %w", name, err)
	}
	obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   name,
		Labels: map[string]string{ManagedByLabel: ManagedByValue},
	}}
	_, err = api.Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("create namespace %s: %w", name, err)
	}
	res.Action = Created
	return res, nil
}
