package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gwebsocket "github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/httpstream/spdy"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
)

// fakeAPI serves what ForwardPort needs from an API server: GET a pod, and
// its portforward subresource over WebSocket-tunnelled SPDY (what current
// API servers offer) or plain SPDY. Each forwarded connection answers
// "<pod>:" followed by an echo of what it receives, unless forwardError is set.
type fakeAPI struct {
	phases         map[string]corev1.PodPhase
	noWebSocket    bool   // answer WebSocket upgrades with 400, like an old server
	noChannels     bool   // answer the channel protocol with 400, as a proxy might
	forwardError   string // sent on every error stream, as when nothing listens on the port
	viaWS, viaSPDY atomic.Int32
	viaChannels    atomic.Int32
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/namespaces/"+testNS+"/pods/")
	name, sub, _ := strings.Cut(rest, "/")
	phase, known := f.phases[name]
	switch {
	case !ok || !known:
		http.NotFound(w, r)
	case sub == "":
		p := corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"}, ObjectMeta: meta(name, nil),
			Status: corev1.PodStatus{Phase: phase}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p)
	case sub == "portforward" && r.Header.Get("Upgrade") == "websocket" && phase != corev1.PodRunning:
		http.Error(w, "pod is not running", http.StatusBadRequest)
	case sub == "portforward" && slices.Contains(gwebsocket.Subprotocols(r), channelProtocol):
		f.serveChannels(w, r, name)
	case sub == "portforward" && r.Header.Get("Upgrade") == "websocket":
		f.serveWebSocket(w, r, name)
	case sub == "portforward":
		f.serveSPDY(w, r, name)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPI) serveWebSocket(w http.ResponseWriter, r *http.Request, pod string) {
	if f.noWebSocket {
		http.Error(w, "websocket not supported", http.StatusBadRequest)
		return
	}
	up := gwebsocket.Upgrader{Subprotocols: []string{"SPDY/3.1+" + portforward.PortForwardProtocolV1Name}}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.viaWS.Add(1)
	conn, err := spdy.NewServerConnection(portforward.NewTunnelingConnection("server", ws), echoStreams(pod, f.forwardError))
	if err != nil {
		return
	}
	<-conn.CloseChan()
}

func (f *fakeAPI) serveSPDY(w http.ResponseWriter, r *http.Request, pod string) {
	if _, err := httpstream.Handshake(r, w, []string{portforward.PortForwardProtocolV1Name}); err != nil {
		return
	}
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, echoStreams(pod, f.forwardError))
	if conn == nil {
		return
	}
	f.viaSPDY.Add(1)
	<-conn.CloseChan()
}

// echoStreams closes each error stream at once (no error) and answers each
// data stream with the pod's name and an echo, as a kubelet would relay a
// server's answer.
func echoStreams(pod, forwardError string) httpstream.NewStreamHandler {
	return func(s httpstream.Stream, replySent <-chan struct{}) error {
		go func() {
			<-replySent
			defer s.Close()
			switch {
			case s.Headers().Get(corev1.StreamType) == corev1.StreamTypeError:
				_, _ = io.WriteString(s, forwardError)
			case forwardError == "":
				_, _ = io.Copy(s, io.MultiReader(strings.NewReader(pod+":"), s))
			}
		}()
		return nil
	}
}

func newForwardClient(t *testing.T, api *fakeAPI) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := &rest.Config{Host: srv.URL}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{clientset: cs, config: cfg, namespace: testNS, dynamic: &dynamicClient{}}
}

// roundTrip sends msg through f and returns the answer.
func roundTrip(t *testing.T, f *Forward, msg string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := f.DialContext(ctx, "ignored:3306")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read through %s: %v", f.Addr(), err)
	}
	return string(got)
}

func TestForwardPort(t *testing.T) {
	for _, tc := range []struct {
		name             string
		noWebSocket      bool
		wantWS, wantSPDY int32
	}{
		{"websocket", false, 1, 0},
		{"falls back to spdy", true, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning}, noWebSocket: tc.noWebSocket}
			c := newForwardClient(t, api)
			f, err := c.ForwardPort(context.Background(), "mysql-0", 3306)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if !strings.HasPrefix(f.Addr(), "127.0.0.1:") || f.Pod() != "db/mysql-0" {
				t.Errorf("Addr %q Pod %q", f.Addr(), f.Pod())
			}
			if got := roundTrip(t, f, "ping"); got != "mysql-0:ping" {
				t.Errorf("answer = %q, want mysql-0:ping", got)
			}
			if got := roundTrip(t, f, "again"); got != "mysql-0:again" {
				t.Errorf("second connection: answer = %q", got)
			}
			if api.viaWS.Load() != tc.wantWS || api.viaSPDY.Load() != tc.wantSPDY {
				t.Errorf("connections via websocket %d, spdy %d; want %d, %d", api.viaWS.Load(), api.viaSPDY.Load(), tc.wantWS, tc.wantSPDY)
			}
		})
	}
}

func TestForwardPortInParallel(t *testing.T) {
	api := &fakeAPI{phases: map[string]corev1.PodPhase{}}
	for i := range 3 {
		api.phases[fmt.Sprintf("mysql-%d", i)] = corev1.PodRunning
	}
	c := newForwardClient(t, api)
	forwards := make([]*Forward, 3)
	errs := make(chan error, 3)
	for i := range forwards {
		go func() {
			var err error
			forwards[i], err = c.ForwardPort(context.Background(), fmt.Sprintf("mysql-%d", i), 3306)
			errs <- err
		}()
	}
	for range forwards {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range forwards {
		defer f.Close()
		if want := fmt.Sprintf("mysql-%d:hi", i); roundTrip(t, f, "hi") != want {
			t.Errorf("forward %d does not reach mysql-%d", i, i)
		}
	}
}

func TestForwardPortPodNotRunning(t *testing.T) {
	c := newForwardClient(t, &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodPending}})
	_, err := c.ForwardPort(context.Background(), "mysql-0", 3306)
	if err == nil || err.Error() != "port-forward to pod db/mysql-0: pod is Pending, not Running" {
		t.Errorf("err = %v", err)
	}
	_, err = c.ForwardPort(context.Background(), "mysql-9", 3306)
	if err == nil || !strings.Contains(err.Error(), "db/mysql-9") {
		t.Errorf("missing pod: err = %v, want it named", err)
	}
}

func TestForwardPortStopsWithCloseAndContext(t *testing.T) {
	c := newForwardClient(t, &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning}})
	f, err := c.ForwardPort(context.Background(), "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	_ = f.Close() // twice is fine
	if f.Err() != nil {
		t.Errorf("Err after Close = %v", f.Err())
	}
	if conn, err := net.DialTimeout("tcp", f.Addr(), time.Second); err == nil {
		conn.Close()
		t.Error("local port still listens after Close")
	}

	ctx, cancel := context.WithCancel(context.Background())
	g, err := c.ForwardPort(ctx, "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-g.Done():
	case <-time.After(5 * time.Second):
		t.Error("forward still running after its context ended")
	}
}

func TestForwardPortNeedsRESTConfig(t *testing.T) {
	c, _ := newTestClient(t, pod("mysql-0", readyStatus()))
	if _, err := c.ForwardPort(context.Background(), "mysql-0", 3306); err == nil || !strings.Contains(err.Error(), "no REST config") {
		t.Errorf("err = %v", err)
	}
}

// silenced installs SilencePortForwardErrors behind a recording handler
// and restores client-go's handlers when the test ends.
func silenced(t *testing.T) (reported, passed chan error) {
	saved := utilruntime.ErrorHandlers
	t.Cleanup(func() { utilruntime.ErrorHandlers = saved })
	reported, passed = make(chan error, 10), make(chan error, 10)
	utilruntime.ErrorHandlers = []utilruntime.ErrorHandler{
		func(_ context.Context, err error, _ string, _ ...any) { passed <- err },
	}
	SilencePortForwardErrors(func(err error) { reported <- err })
	return reported, passed
}

func TestSilencePortForwardErrorsFilters(t *testing.T) {
	reported, passed := silenced(t)
	utilruntime.HandleError(errors.New("an error occurred forwarding 5000 -> 3306: connection refused"))
	utilruntime.HandleError(errors.New("error copying from local connection to remote stream: broken pipe"))
	utilruntime.HandleError(errors.New("informer failed to list"))
	if len(reported) != 2 || len(passed) != 1 {
		t.Fatalf("reported %d, passed on %d; want 2 and 1", len(reported), len(passed))
	}
	if err := <-passed; err.Error() != "informer failed to list" {
		t.Errorf("passed on %v", err)
	}
}

// The prefixes must match what client-go really sends: a forwarded
// connection to a port nothing listens on in the pod.
func TestSilencePortForwardErrorsCatchesRealForwardError(t *testing.T) {
	reported, passed := silenced(t)
	api := &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning},
		forwardError: "failed to connect to localhost:3306 inside namespace: connection refused"}
	c := newForwardClient(t, api)
	f, err := c.ForwardPort(context.Background(), "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conn, err := net.Dial("tcp", f.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = conn.Read(make([]byte, 1))
	select {
	case err := <-reported:
		if !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("reported %v", err)
		}
	case err := <-passed:
		t.Fatalf("client-go error not recognised as port-forward noise: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no error reported")
	}
	// client-go drops the whole connection after such an error; Done says so.
	select {
	case <-f.Done():
		if f.Err() == nil || !strings.Contains(f.Err().Error(), "db/mysql-0") {
			t.Errorf("Err = %v, want the lost connection naming the pod", f.Err())
		}
	case <-time.After(5 * time.Second):
		t.Error("forward still running after the connection was lost")
	}
}
