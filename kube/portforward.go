package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// Forward is a running port-forward from a random port on 127.0.0.1 to a
// pod's port. It stops when Close is called or the context given to
// ForwardPort ends. Each Forward has its own connection, so one per pod can
// run in parallel.
type Forward struct {
	ns, name string
	addr     string
	stop     chan struct{}
	done     chan struct{}
	err      error // why forwarding ended; written before done is closed
	once     sync.Once
}

// Addr is the local address, "127.0.0.1:<port>", that reaches the pod.
func (f *Forward) Addr() string { return f.addr }

// Pod is the forwarded pod as "namespace/name".
func (f *Forward) Pod() string { return f.ns + "/" + f.name }

// DialContext connects to the pod through the forward; it ignores addr so
// it fits dial hooks such as go-sql-driver's RegisterDialContext.
func (f *Forward) DialContext(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", f.addr)
	if err != nil {
		return nil, fmt.Errorf("dial pod %s through port-forward %s: %w", f.Pod(), f.addr, err)
	}
	return conn, nil
}

// Done is closed when forwarding has stopped: after Close, after the
// ForwardPort context ended, or when the connection to the pod was lost.
func (f *Forward) Done() <-chan struct{} { return f.done }

// Err says why forwarding stopped, once Done is closed: nil after Close,
// portforward.ErrLostConnectionToPod when the pod or the API server went away.
func (f *Forward) Err() error {
	select {
	case <-f.done:
		if f.err != nil {
			return fmt.Errorf("port-forward to pod %s: %w", f.Pod(), f.err)
		}
		return nil
	default:
		return nil
	}
}

// Close stops forwarding and waits until the local port is closed. It is
// safe to call more than once and from several goroutines.
func (f *Forward) Close() error {
	f.once.Do(func() { close(f.stop) })
	<-f.done
	return nil
}

// ForwardPort forwards a random local port to remotePort of pod, like
// kubectl port-forward: WebSocket
// first, SPDY when the server cannot upgrade to it. It fails at once when
// the pod is not Running, and otherwise returns as soon as the local port
// listens, or with ctx's error. The forward lasts until Close or until ctx
// ends.
func (c *Client) ForwardPort(ctx context.Context, pod string, remotePort int) (*Forward, error) {
	f := &Forward{ns: c.namespace, name: pod, stop: make(chan struct{}), done: make(chan struct{})}
	pf, err := c.newPortForwarder(ctx, f, remotePort)
	if err != nil {
		return nil, fmt.Errorf("port-forward to pod %s: %w", f.Pod(), err)
	}
	go func() {
		f.err = pf.ForwardPorts()
		close(f.done)
	}()
	select {
	case <-pf.Ready:
	case <-f.done:
		return nil, fmt.Errorf("port-forward to pod %s: %w", f.Pod(), f.err)
	case <-ctx.Done():
		f.once.Do(func() { close(f.stop) }) // do not wait: the dial may still be in flight
		return nil, fmt.Errorf("port-forward to pod %s: %w", f.Pod(), ctx.Err())
	}
	ports, err := pf.GetPorts()
	if err != nil || len(ports) != 1 {
		f.Close()
		return nil, fmt.Errorf("port-forward to pod %s: no local port: %v", f.Pod(), err)
	}
	f.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(int(ports[0].Local)))
	go func() {
		select {
		case <-ctx.Done():
			f.Close()
		case <-f.done:
		}
	}()
	return f, nil
}

// newPortForwarder checks the pod runs and builds client-go's forwarder.
func (c *Client) newPortForwarder(ctx context.Context, f *Forward, remotePort int) (*portforward.PortForwarder, error) {
	if c.config == nil {
		return nil, errors.New("the client has no REST config (made by NewClientFromInterface)")
	}
	ns, name := f.ns, f.name
	p, err := c.clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if p.Status.Phase != corev1.PodRunning {
		return nil, fmt.Errorf("pod is %s, not Running", phaseOf(p))
	}
	dialer, err := c.portForwardDialer(ns, name)
	if err != nil {
		return nil, err
	}
	// client-go prints "Forwarding from ..." lines to out; we report the
	// address through Addr instead, and listen errors come back as errors.
	return portforward.NewOnAddresses(dialer, []string{"127.0.0.1"},
		[]string{fmt.Sprintf("0:%d", remotePort)}, f.stop, make(chan struct{}), io.Discard, io.Discard)
}

// portForwardDialer dials the pod's portforward subresource over WebSocket,
// falling back to SPDY as kubectl does (kubectl/pkg/cmd/portforward).
func (c *Client) portForwardDialer(ns, pod string) (httpstream.Dialer, error) {
	u := c.clientset.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
	transport, upgrader, err := spdy.RoundTripperFor(c.config)
	if err != nil {
		return nil, err
	}
	spdyDialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, u)
	wsDialer, err := portforward.NewSPDYOverWebsocketDialer(u, c.config)
	if err != nil {
		return nil, err
	}
	return portforward.NewFallbackDialer(wsDialer, spdyDialer, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	}), nil
}

// portForwardNoise are the prefixes of the errors client-go's port-forwarder
// cannot return and hands to utilruntime.HandleError instead, which logs
// them to stderr through klog ("an error occurred forwarding 5432 -> 3306:
// ..."). The connection they concern fails visibly for its user anyway.
var portForwardNoise = [...]string{
	"an error occurred forwarding ",
	"error copying from local connection to remote stream",
	"error copying from remote stream to local connection",
	"error creating error stream for port ",
	"error creating forwarding stream for port ",
	"error reading from error stream for port ",
	"error accepting connection on port ",
	"error closing listener",
}

// SilencePortForwardErrors stops client-go's port-forward errors from
// reaching stderr; report (may be nil) receives them instead, e.g. for a
// -v debug log. Other unhandled errors still go to client-go's handlers.
//
// client-go offers no per-forwarder hook: these errors go through the
// process-wide utilruntime.ErrorHandlers. So this replaces that variable,
// which is not synchronised: call it once, from main, before any goroutine
// uses client-go. Calling it again wraps the handlers again.
func SilencePortForwardErrors(report func(error)) {
	next := utilruntime.ErrorHandlers
	filter := func(ctx context.Context, err error, msg string, kv ...any) {
		if isPortForwardNoise(err) {
			if report != nil {
				report(err)
			}
			return
		}
		for _, h := range next {
			h(ctx, err, msg, kv...)
		}
	}
	utilruntime.ErrorHandlers = []utilruntime.ErrorHandler{filter}
}

func isPortForwardNoise(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, p := range portForwardNoise {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
