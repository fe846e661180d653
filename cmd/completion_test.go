package cmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// fakeAPI is an API server of three namespaces: team-a (the kubeconfig's
// current context) holds cluster mysql of three pods; shop holds clusters
// orders (two pods, primary orders-0) and billing; live (context prod)
// holds mysql of two pods whose record names mysql-0 the primary.
func fakeAPI(t *testing.T) *httptest.Server {
	t.Helper()
	pods := map[string][]corev1.Pod{}
	sets := map[string][]appsv1.StatefulSet{}
	records := map[string]*corev1.ConfigMap{}
	add := func(ns, name string, n int) {
		meta := func(obj string, component string) metav1.ObjectMeta {
			return metav1.ObjectMeta{Name: obj, Namespace: ns, Labels: manifest.Labels(name, component)}
		}
		sets[ns] = append(sets[ns], appsv1.StatefulSet{ObjectMeta: meta(name, manifest.ComponentDatabase)})
		for i := range n {
			pods[ns] = append(pods[ns], corev1.Pod{ObjectMeta: meta(manifest.PodName(name, i), manifest.ComponentDatabase)})
		}
		records[ns+"/"+manifest.StateConfigMapName(name)] = &corev1.ConfigMap{
			ObjectMeta: meta(manifest.StateConfigMapName(name), cluster.ComponentState),
			Data:       map[string]string{cluster.StateKeyPrimary: manifest.PodName(name, 0)},
		}
	}
	add("team-a", "mysql", 3)
	add("shop", "orders", 2)
	add("shop", "billing", 1)
	add("live", "mysql", 2)
	list := regexp.MustCompile(`^/(?:api/v1|apis/apps/v1)/namespaces/([^/]+)/(pods|statefulsets|configmaps)(?:/([^/]+))?$`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/version" {
			fmt.Fprint(w, `{"major":"1","minor":"34","gitVersion":"v1.34.0"}`)
			return
		}
		m := list.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		ns, kind, name := m[1], m[2], m[3]
		sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
		if err != nil {
			t.Errorf("bad selector in %s: %v", r.URL, err)
		}
		var body any
		switch {
		case kind == "pods":
			l := &corev1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}}
			for _, p := range pods[ns] {
				if sel.Matches(labels.Set(p.Labels)) {
					l.Items = append(l.Items, p)
				}
			}
			body = l
		case kind == "statefulsets":
			l := &appsv1.StatefulSetList{TypeMeta: metav1.TypeMeta{Kind: "StatefulSetList", APIVersion: "apps/v1"}}
			for _, s := range sets[ns] {
				if sel.Matches(labels.Set(s.Labels)) {
					l.Items = append(l.Items, s)
				}
			}
			body = l
		case kind == "configmaps" && records[ns+"/"+name] != nil:
			body = records[ns+"/"+name]
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"details":{"name":%q,"kind":%q}}`, name, kind)
			return
		}
		if err := json.NewEncoder(w).Encode(body); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// completionKubeconfig points contexts dev (team-a, current) and prod
// (live) at server, and context gone at nothing.
func completionKubeconfig(t *testing.T, server string) string {
	t.Helper()
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: dev
clusters:
- {name: c, cluster: {server: %q}}
- {name: nowhere, cluster: {server: "http://127.0.0.1:1"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: dev, context: {cluster: c, user: u, namespace: team-a}}
- {name: prod, context: {cluster: c, user: u, namespace: live}}
- {name: gone, context: {cluster: nowhere, user: u, namespace: team-a}}
`, server)
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each completion lists the names of the cluster the rest of the command
// line names, and suggests nothing, silently, when it cannot.
func TestCompletionOfPodAndClusterNames(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("MYSQLCTL_NAME", "")
	t.Setenv("MYSQLCTL_NAMESPACE", "")
	kubeconfig := completionKubeconfig(t, fakeAPI(t).URL)
	for _, tc := range []struct {
		name string
		env  string // MYSQLCTL_NAME
		args []string
		want []string
	}{
		{"sql: every pod of the context's cluster", "", []string{"sql", ""}, []string{"mysql-0", "mysql-1", "mysql-2"}},
		{"sql: --name and -n", "", []string{"sql", "-n", "shop", "--name", "orders", ""}, []string{"orders-0", "orders-1"}},
		{"sql: MYSQLCTL_NAME", "orders", []string{"sql", "--namespace=shop", ""}, []string{"orders-0", "orders-1"}},
		{"sql: the typed prefix", "", []string{"sql", "mysql-2"}, []string{"mysql-2"}},
		{"sql: one pod only", "", []string{"sql", "mysql-0", ""}, nil},
		{"reclone: not the primary", "", []string{"reclone", ""}, []string{"mysql-1", "mysql-2"}},
		{"reclone: -n and --name", "", []string{"reclone", "-n", "shop", "--name", "orders", ""}, []string{"orders-1"}},
		{"promote: --context", "", []string{"promote", "--context", "prod", ""}, []string{"mysql-1"}},
		{"switchover --to", "", []string{"switchover", "--to", ""}, []string{"mysql-1", "mysql-2"}},
		{"switchover --to=prefix", "", []string{"switchover", "--to=mysql-2"}, []string{"mysql-2"}},
		{"--name: the clusters of the namespace", "", []string{"status", "-n", "shop", "--name", ""}, []string{"billing", "orders"}},
		{"--name of up, with --context", "", []string{"up", "--context", "prod", "--name", ""}, []string{"mysql"}},
		{"--name: none in the namespace", "", []string{"check", "-n", "empty", "--name", ""}, nil},
		{"unreachable cluster", "", []string{"sql", "--context", "gone", ""}, nil},
		{"unknown context", "", []string{"reclone", "--context", "nope", ""}, nil},
		{"bad input", "", []string{"promote", "--name", "Bad_Name", ""}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("MYSQLCTL_NAME", tc.env)
			args := append([]string{"__complete", "--kubeconfig", kubeconfig}, tc.args...)
			code, stdout, stderr := runMysqlctl(t, args...)
			want := strings.Join(append(tc.want, ":4"), "\n") + "\n" // 4: ShellCompDirectiveNoFileComp
			if code != exitOK || stdout != want {
				t.Errorf("exit %d, suggestions:\n%s\nwant:\n%s", code, stdout, want)
			}
			if strings.Contains(stderr, "Error") || strings.Count(stderr, "\n") > 1 {
				t.Errorf("completion printed more than cobra's directive line:\n%s", stderr)
			}
		})
	}
}

// Without any kubeconfig, completion still answers, with nothing.
func TestCompletionWithoutKubeconfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-kubeconfig")
	for _, args := range [][]string{{"sql", ""}, {"reclone", ""}, {"status", "--name", ""}} {
		code, stdout, _ := runMysqlctl(t, append([]string{"__complete", "--kubeconfig", missing}, args...)...)
		if code != exitOK || stdout != ":4\n" {
			t.Errorf("%v: exit %d, stdout %q; want no suggestions and no file completion", args, code, stdout)
		}
	}
}
