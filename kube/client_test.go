package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

// writeKubeconfig writes a kubeconfig with contexts "dev" (namespace
// team-a, current) and "bare" (no namespace), both pointing at server.
func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c
  cluster: {server: %q}
users:
- name: u
  user: {token: secret}
contexts:
- name: dev
  context: {cluster: c, user: u, namespace: team-a}
- name: bare
  context: {cluster: c, user: u}
`, server)
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// isolate keeps the developer's own kubeconfig and any in-cluster
// environment out of the test.
func isolate(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
}

func TestNewClientNamespaces(t *testing.T) {
	isolate(t)
	path := writeKubeconfig(t, "https://127.0.0.1:6443")
	for _, tc := range []struct {
		name string
		opts ConnectOptions
		env  bool // pass the path through KUBECONFIG instead of the option
		want string
	}{
		{"context namespace", ConnectOptions{Kubeconfig: path}, false, "team-a"},
		{"through KUBECONFIG", ConnectOptions{}, true, "team-a"},
		{"flag wins", ConnectOptions{Kubeconfig: path, Namespace: "db"}, false, "db"},
		{"context without namespace", ConnectOptions{Kubeconfig: path, Context: "bare"}, false, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env {
				t.Setenv("KUBECONFIG", path)
			}
			c, err := NewClient(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if c.namespace != tc.want || c.Host() != "https://127.0.0.1:6443" || c.config.UserAgent != "mysqlctl" {
				t.Errorf("namespace %q host %q agent %q; want namespace %q", c.namespace, c.Host(), c.config.UserAgent, tc.want)
			}
		})
	}
}

func TestNewClientKubeconfigErrors(t *testing.T) {
	isolate(t)
	path := writeKubeconfig(t, "https://127.0.0.1:6443")
	broken := filepath.Join(t.TempDir(), "broken")
	if err := os.WriteFile(broken, []byte("{not yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts ConnectOptions
		want string
	}{
		{"none at all", ConnectOptions{}, "none found in --kubeconfig, $KUBECONFIG or ~/.kube/config"},
		{"missing file", ConnectOptions{Kubeconfig: filepath.Join(t.TempDir(), "nope")}, "nope"},
		{"unparsable", ConnectOptions{Kubeconfig: broken}, "check --kubeconfig and --context"},
		{"unknown context", ConnectOptions{Kubeconfig: path, Context: "prod"}, `"prod"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.opts)
			if !errors.Is(err, ErrNoKubeconfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrNoKubeconfig mentioning %q", err, tc.want)
			}
		})
	}
}

func TestPing(t *testing.T) {
	isolate(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"major":"1","minor":"34","gitVersion":"v1.34.0"}`)
	}))
	defer srv.Close()
	c, err := NewClient(ConnectOptions{Kubeconfig: writeKubeconfig(t, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Errorf("reachable server: %v", err)
	}
}

func TestPingUnreachable(t *testing.T) {
	isolate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more: connection refused
	c, err := NewClient(ConnectOptions{Kubeconfig: writeKubeconfig(t, addr)})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Ping(context.Background())
	if !errors.Is(err, ErrUnreachable) || !strings.HasPrefix(err.Error(), "cannot reach the Kubernetes API server at "+addr+": ") {
		t.Errorf("err = %v, want ErrUnreachable naming %s", err, addr)
	}
}

func TestPingHonoursDeadline(t *testing.T) {
	isolate(t)
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	c, err := NewClient(ConnectOptions{Kubeconfig: writeKubeconfig(t, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.Ping(ctx)
	if !errors.Is(err, ErrUnreachable) || time.Since(start) > 5*time.Second {
		t.Errorf("err = %v after %s, want ErrUnreachable within the deadline", err, time.Since(start))
	}
}

func TestEnsureNamespace(t *testing.T) {
	ctx := context.Background()
	existing := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "there"}}
	terminating := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "going"},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	c, cs := newTestClient(t, existing, terminating)

	if res, err := c.EnsureNamespace(ctx, "there", false); err != nil || res.Action != Unchanged {
		t.Errorf("existing: %v, %v; want unchanged", res, err)
	}
	_, err := c.EnsureNamespace(ctx, "missing", false)
	if !errors.Is(err, ErrNamespaceNotFound) {
		t.Fatalf("missing: err = %v, want ErrNamespaceNotFound", err)
	}
	if want := "namespace missing not found: create it or pass --create-namespace"; err.Error() != want {
		t.Errorf("missing: err = %q, want %q", err, want)
	}
	if res, err := c.EnsureNamespace(ctx, "missing", true); err != nil || res.String() != "namespace/missing created" {
		t.Errorf("create: %v, %v; want namespace/missing created", res, err)
	}
	ns, err := cs.CoreV1().Namespaces().Get(ctx, "missing", metav1.GetOptions{})
	if err != nil || ns.Labels[ManagedByLabel] != ManagedByValue {
		t.Errorf("created namespace = %+v, %v; want it labelled managed-by", ns, err)
	}
	if _, err := c.EnsureNamespace(ctx, "going", true); err == nil || !strings.Contains(err.Error(), "being deleted") {
		t.Errorf("terminating: err = %v, want 'being deleted'", err)
	}
}

// A user limited to their namespace cannot read Namespace objects; that
// must not stop them.
func TestEnsureNamespaceForbiddenAssumesItExists(t *testing.T) {
	c, cs := newTestClient(t)
	cs.PrependReactor("get", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, "db", errors.New("no"))
	})
	if _, err := c.EnsureNamespace(context.Background(), "db", false); err != nil {
		t.Errorf("err = %v, want nil", err)
	}
}
