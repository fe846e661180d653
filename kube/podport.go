package kube

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/util/httpstream"
)

// PodPort reaches one port of a pod from this process. Each connection is
// its own WebSocket (DialPod). On an API server that refuses that protocol
// it goes through client-go's forwarder instead (ForwardPort, WebSocket-
// tunnelled SPDY or SPDY), which also gives the clearer reason when the pod
// cannot be reached, such as "pod is Pending, not Running". Everything it
// opened is closed by Close or when the context it was opened with ends.
type PodPort struct {
	c        *Client
	pod      string
	port     int
	ctx      context.Context
	stopWith func() bool

	mu      sync.Mutex
	first   net.Conn // opened by OpenPodPort, handed to the first DialContext
	conns   []net.Conn
	forward *Forward // the fallback, once needed
	closed  bool
}

// OpenPodPort connects to port of pod once, so that an unreachable pod
// fails here, and keeps that connection for the first DialContext.
func (c *Client) OpenPodPort(ctx context.Context, pod string, port int) (*PodPort, error) {
	t := &PodPort{c: c, pod: pod, port: port, ctx: ctx}
	conn, err := t.dial(ctx)
	if err != nil {
		return nil, err
	}
	t.first = conn
	t.stopWith = context.AfterFunc(ctx, func() { _ = t.Close() })
	return t, nil
}

// Addr names the pod's port, "pod:port": connections go through the API
// server, not to this address.
func (t *PodPort) Addr() string { return net.JoinHostPort(t.pod, strconv.Itoa(t.port)) }

// DialContext opens a connection to the pod's port; it ignores addr so it
// fits dial hooks such as go-sql-driver's.
func (t *PodPort) DialContext(ctx context.Context, _ string) (net.Conn, error) {
	t.mu.Lock()
	first := t.first
	t.first = nil
	closed := t.closed
	t.mu.Unlock()
	switch {
	case closed:
		return nil, fmt.Errorf("connect to port %d of pod %s/%s: the tunnel is closed", t.port, t.c.namespace, t.pod)
	case first != nil:
		return first, nil
	}
	return t.dial(ctx)
}

// dial opens one connection, over the channel protocol unless the server
// refused it before.
func (t *PodPort) dial(ctx context.Context) (net.Conn, error) {
	t.mu.Lock()
	fallback := t.forward != nil
	t.mu.Unlock()
	if !fallback {
		conn, err := t.c.DialPod(ctx, t.pod, t.port)
		if err == nil {
			return t.track(conn)
		}
		if !httpstream.IsUpgradeFailure(err) { // the server does not offer the channel protocol
			return nil, err
		}
	}
	f, err := t.fallback()
	if err != nil {
		return nil, err
	}
	conn, err := f.DialContext(ctx, "")
	if err != nil {
		return nil, err
	}
	return t.track(conn)
}

// fallback starts client-go's forwarder once, for the life of the PodPort.
func (t *PodPort) fallback() (*Forward, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.forward != nil {
		return t.forward, nil
	}
	f, err := t.c.ForwardPort(t.ctx, t.pod, t.port)
	if err != nil {
		return nil, err
	}
	t.forward = f
	return f, nil
}

// track remembers conn for Close, or closes it when the PodPort was closed
// while it was being opened.
func (t *PodPort) track(conn net.Conn) (net.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		_ = conn.Close()
		return nil, fmt.Errorf("connect to port %d of pod %s/%s: the tunnel was closed", t.port, t.c.namespace, t.pod)
	}
	t.conns = append(t.conns, conn)
	return conn, nil
}

// Close closes every connection it opened, and the fallback forwarder. It
// is safe to call more than once and from several goroutines.
func (t *PodPort) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	conns, forward := t.conns, t.forward
	t.conns, t.first = nil, nil
	t.mu.Unlock()
	if t.stopWith != nil {
		t.stopWith()
	}
	for _, conn := range conns {
		_ = conn.Close()
	}
	if forward != nil {
		_ = forward.Close()
	}
	return nil
}
