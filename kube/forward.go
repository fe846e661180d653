package kube

import (
	"context"
	"fmt"
	"net"
)

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
