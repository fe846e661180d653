package kube

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	gwebsocket "github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
)

// serveChannels speaks the portforward channel protocol as a kubelet
// does: the port (3306, little endian) first on the data and the error
// channel, then either forwardError on the error channel, or "<pod>:" and
// an echo of every data message. The data channel's port bytes come in
// two messages, the second with the greeting, which a client must cope with.
func (f *fakeAPI) serveChannels(w http.ResponseWriter, r *http.Request, pod string) {
	if f.noChannels || r.Method != http.MethodGet || r.URL.Query().Get("ports") != "3306" {
		http.Error(w, "channel protocol not offered", http.StatusBadRequest)
		return
	}
	up := gwebsocket.Upgrader{Subprotocols: []string{channelProtocol}}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	f.viaChannels.Add(1)
	send := func(b ...byte) { _ = ws.WriteMessage(gwebsocket.BinaryMessage, b) }
	send(dataChannel, 0xea)
	send(errorChannel, 0xea, 0x0c)
	if f.forwardError != "" {
		send(append([]byte{errorChannel}, f.forwardError...)...)
		return
	}
	send(append([]byte{dataChannel, 0x0c}, pod+":"...)...)
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if len(msg) > 0 && msg[0] == dataChannel {
			send(msg...)
		}
	}
}

// exchange writes msg on conn and reads back as many bytes as want has.
func exchange(t *testing.T, conn net.Conn, msg, want string) {
	t.Helper()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(conn, got); err != nil {
		t.Fatalf("read %q so far: %v", got, err)
	}
	if string(got) != want {
		t.Errorf("answer = %q, want %q", got, want)
	}
}

func TestPodPortSpeaksTheChannelProtocol(t *testing.T) {
	api := &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning}}
	c := newForwardClient(t, api)
	p, err := c.OpenPodPort(context.Background(), "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Addr() != "mysql-0:3306" {
		t.Errorf("Addr = %q", p.Addr())
	}
	first, err := p.DialContext(context.Background(), "ignored")
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, first, "ping", "mysql-0:ping")
	exchange(t, first, strings.Repeat("x", 3*maxMessage+1), strings.Repeat("x", 3*maxMessage+1))
	second, err := p.DialContext(context.Background(), "ignored")
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, second, "again", "mysql-0:again")
	if api.viaChannels.Load() != 2 || api.viaWS.Load()+api.viaSPDY.Load() != 0 {
		t.Errorf("connections: %d over the channel protocol, %d over SPDY; want 2 and 0",
			api.viaChannels.Load(), api.viaWS.Load()+api.viaSPDY.Load())
	}
	_ = second.Close()
	if _, err := second.Read(make([]byte, 1)); err == nil {
		t.Error("read after Close succeeded")
	}
}

func TestPodPortReportsTheForwardError(t *testing.T) {
	api := &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning},
		forwardError: "failed to connect to localhost:3306 inside namespace: connection refused"}
	p, err := newForwardClient(t, api).OpenPodPort(context.Background(), "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	conn, _ := p.DialContext(context.Background(), "")
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	if err == nil || err.Error() != "forward to port 3306 of pod db/mysql-0: "+api.forwardError {
		t.Errorf("err = %v", err)
	}
}

func TestPodPortFallsBackToClientGo(t *testing.T) {
	api := &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning, "mysql-1": corev1.PodPending}, noChannels: true}
	c := newForwardClient(t, api)
	p, err := c.OpenPodPort(context.Background(), "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 2 {
		conn, err := p.DialContext(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		exchange(t, conn, "ping", "mysql-0:ping")
	}
	if api.viaWS.Load() != 1 || api.viaChannels.Load() != 0 {
		t.Errorf("tunnelled SPDY connections %d, channel %d; want one forwarder for both", api.viaWS.Load(), api.viaChannels.Load())
	}
	// The forwarder's reasons are the clearer ones.
	_, err = c.OpenPodPort(context.Background(), "mysql-1", 3306)
	if err == nil || !strings.Contains(err.Error(), "pod is Pending, not Running") {
		t.Errorf("pending pod: err = %v", err)
	}
	_, err = c.OpenPodPort(context.Background(), "mysql-9", 3306)
	if err == nil || !strings.Contains(err.Error(), "db/mysql-9") {
		t.Errorf("missing pod: err = %v", err)
	}
}

func TestPodPortClosesWithItsContext(t *testing.T) {
	c := newForwardClient(t, &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning}})
	ctx, cancel := context.WithCancel(context.Background())
	p, err := c.OpenPodPort(ctx, "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := p.DialContext(context.Background(), "")
	exchange(t, conn, "a", "mysql-0:a")
	cancel()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after its context ended")
	}
	if _, err := p.DialContext(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("dial after the end: err = %v", err)
	}
	_ = p.Close() // again: fine
}
