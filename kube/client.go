package kube

import (
	"context"
	"fmt"

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

// Client is a Kubernetes client bound to one namespace. Its fields are
// exported for callers that need client-go directly; methods that take no
// namespace argument (or get "") use Namespace.
type Client struct {
	// Clientset is the typed client; a fake.Clientset in unit tests.
	Clientset kubernetes.Interface
	// Config is the REST config the Clientset was built from. It is nil for
	// clients made by NewClientFromInterface; ForwardPort needs it.
	Config *rest.Config
	// Namespace is --namespace, else the context's namespace, else "default".
	Namespace string
}

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
	return &Client{Clientset: cs, Config: cfg, Namespace: ns}, nil
}

// NewClientFromInterface wraps an existing clientset, typically
// fake.NewClientset() in tests. An empty ns means "default".
func NewClientFromInterface(cs kubernetes.Interface, ns string) *Client {
	if ns == "" {
		ns = "default"
	}
	return &Client{Clientset: cs, Namespace: ns}
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
	if rc := c.Clientset.Discovery().RESTClient(); rc != nil {
		return rc.Get().AbsPath("/version").Do(ctx).Error()
	}
	_, err := c.Clientset.Discovery().ServerVersion()
	return err
}

// Host is the API server URL, or "<unknown>" for clients without a Config.
func (c *Client) Host() string {
	if c.Config == nil || c.Config.Host == "" {
		return "<unknown>"
	}
	return c.Config.Host
}
