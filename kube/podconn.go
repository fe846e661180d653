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
	"time"

	gwebsocket "github.com/gorilla/websocket"
	"k8s.io/client-go/transport/websocket"
)

// The portforward subresource's WebSocket channel protocol, which kubelets
// and the container runtimes' streaming servers have served since before
// SPDY tunnelling: every message starts with its channel's number, and each
// port gets a data channel and an error channel, whose first two bytes are
// the port (little endian).
const (
	channelProtocol  = "v4.channel.k8s.io"
	dataChannel      = 0
	errorChannel     = 1
	portPrefixLength = 2
	// maxMessage keeps each message well under the receiving end's limit
	// (golang.org/x/net/websocket's 32 MiB).
	maxMessage = 32 << 10
)

// DialPod connects to port of pod (in c.Namespace)
// through the API server, one WebSocket per connection. It is what a
// status read needs, and cheaper than client-go's forwarder: no local
// listener, and no SPDY framing, whose per-connection header compressor
// was a fifth of the CLI's CPU in a status of five pods. A server that
// refuses the protocol fails with an error httpstream.IsUpgradeFailure
// recognises.
func (c *Client) DialPod(ctx context.Context, pod string, port int) (net.Conn, error) {
	if c.config == nil {
		return nil, errors.New("the client has no REST config (made by NewClientFromInterface)")
	}
	u := c.clientset.CoreV1().RESTClient().Get().
		Resource("pods").Namespace(c.namespace).Name(pod).SubResource("portforward").
		Param("ports", strconv.Itoa(port)).URL()
	rt, holder, err := websocket.RoundTripperFor(c.config)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	ws, err := websocket.Negotiate(rt, holder, req, channelProtocol)
	if err != nil {
		return nil, fmt.Errorf("connect to port %d of pod %s/%s: %w", port, c.namespace, pod, err)
	}
	return &podConn{ws: ws, where: fmt.Sprintf("port %d of pod %s/%s", port, c.namespace, pod),
		prefix: [2]int{portPrefixLength, portPrefixLength}}, nil
}

// podConn is a net.Conn over one port-forward WebSocket.
type podConn struct {
	ws    *gwebsocket.Conn
	where string

	rmu    sync.Mutex
	data   io.Reader // the rest of the data message being read
	prefix [2]int    // port bytes still to drop, per channel
	failed error     // what the error channel said; every later Read returns it

	wmu       sync.Mutex
	closeOnce sync.Once
}

func (c *podConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if c.failed != nil {
			return 0, c.failed
		}
		if c.data != nil {
			n, err := c.data.Read(p)
			if errors.Is(err, io.EOF) {
				c.data, err = nil, nil
			}
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		kind, r, err := c.ws.NextReader()
		if err != nil {
			return 0, c.readError(err)
		}
		var channel [1]byte
		if kind != gwebsocket.BinaryMessage {
			continue
		}
		if _, err := io.ReadFull(r, channel[:]); err != nil {
			continue // an empty message
		}
		switch channel[0] {
		case dataChannel:
			c.data = c.skipPrefix(dataChannel, r)
		case errorChannel:
			msg, err := io.ReadAll(c.skipPrefix(errorChannel, r))
			if err != nil {
				return 0, c.readError(err)
			}
			if text := strings.TrimSpace(string(msg)); text != "" {
				c.failed = fmt.Errorf("forward to %s: %s", c.where, text)
			}
		}
	}
}

// skipPrefix drops what is left of the channel's port bytes from r.
func (c *podConn) skipPrefix(channel int, r io.Reader) io.Reader {
	if c.prefix[channel] > 0 {
		n, _ := io.CopyN(io.Discard, r, int64(c.prefix[channel]))
		c.prefix[channel] -= int(n)
	}
	return r
}

// readError turns the end of the WebSocket into io.EOF, as for a TCP
// connection the server closed.
func (c *podConn) readError(err error) error {
	var closed *gwebsocket.CloseError
	if errors.As(err, &closed) && closed.Code == gwebsocket.CloseNormalClosure {
		return io.EOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("read from %s: %w", c.where, err)
}

func (c *podConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), maxMessage)]
		w, err := c.ws.NextWriter(gwebsocket.BinaryMessage)
		if err == nil {
			_, err = w.Write([]byte{dataChannel})
		}
		if err == nil {
			_, err = w.Write(chunk)
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			return written, fmt.Errorf("write to %s: %w", c.where, err)
		}
		written += len(chunk)
		p = p[len(chunk):]
	}
	return written, nil
}

// Close says goodbye and closes the WebSocket; the server then closes its
// connection to the pod's port.
func (c *podConn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		bye := gwebsocket.FormatCloseMessage(gwebsocket.CloseNormalClosure, "")
		_ = c.ws.WriteControl(gwebsocket.CloseMessage, bye, time.Now().Add(time.Second))
		err = c.ws.Close()
	})
	return err
}

func (c *podConn) LocalAddr() net.Addr  { return c.ws.LocalAddr() }
func (c *podConn) RemoteAddr() net.Addr { return c.ws.RemoteAddr() }

func (c *podConn) SetDeadline(t time.Time) error {
	if err := c.ws.SetReadDeadline(t); err != nil {
		return err
	}
	return c.ws.SetWriteDeadline(t)
}
func (c *podConn) SetReadDeadline(t time.Time) error  { return c.ws.SetReadDeadline(t) }
func (c *podConn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }
