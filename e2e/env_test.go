// Package e2e holds the end-to-end tests: they run against a real
// Kubernetes cluster (make test starts a local one) and, for the product's
// commands, drive the built mysqlctl binary. Without a configured cluster
// every test skips with a message saying how to run it.
package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// testCluster is what a test needs to reach the cluster under test.
type testCluster struct {
	config       *rest.Config
	client       kubernetes.Interface
	kubeconfig   string
	mariadbImage string
	// clientImage runs the client pods: the MariaDB image, or the image of
	// the flavour a scenario runs on (forEachFlavour).
	clientImage string
}

// requireCluster skips the test unless `make -s cluster-env` (or make test)
// configured a cluster.
func requireCluster(t *testing.T) *testCluster {
	t.Helper()
	image := os.Getenv("MYSQLCTL_E2E_MARIADB_IMAGE")
	kubeconfig := os.Getenv("KUBECONFIG")
	if image == "" || kubeconfig == "" {
		t.Skip("no cluster configured: run `make test`, or `make cluster && eval \"$(make -s cluster-env)\"` before go test ./e2e/")
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatalf("load kubeconfig %s: %v", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return &testCluster{config: config, client: client, kubeconfig: kubeconfig, mariadbImage: image, clientImage: image}
}

// namespace creates a namespace for one test and deletes it afterwards,
// waiting until it is gone so the next test starts clean.
func (c *testCluster) namespace(t *testing.T, prefix string) string {
	t.Helper()
	ctx := context.Background()
	ns, err := c.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpNamespace(t, ns.Name)
		}
		c.deleteNamespace(t, ns.Name, 2*time.Minute)
	})
	// The controller manager adds kube-root-ca.crt to every new namespace a
	// moment later: a test that snapshots the namespace's objects to prove
	// a refused command wrote nothing must not see it appear.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.client.CoreV1().ConfigMaps(ns.Name).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("namespace %s: no kube-root-ca.crt ConfigMap after 30s: %v", ns.Name, err)
	}
	return ns.Name
}

func (c *testCluster) deleteNamespace(t *testing.T, name string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := c.client.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("delete namespace %s: %v", name, err)
		return
	}
	err = wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := c.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Errorf("namespace %s still present after %s", name, timeout)
	}
}

// dumpNamespace logs pods, their container states and recent events: what a
// failed e2e test needs to be understood from CI output alone.
func (c *testCluster) dumpNamespace(t *testing.T, ns string) {
	ctx := context.Background()
	pods, err := c.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Logf("cannot list the pods of %s: %v", ns, err)
		return
	}
	for _, p := range pods.Items {
		var states []string
		for _, s := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
			states = append(states, fmt.Sprintf("%s ready=%v restarts=%d %s", s.Name, s.Ready, s.RestartCount, stateText(s.State)))
		}
		t.Logf("pod %s phase=%s: %s", p.Name, p.Status.Phase, strings.Join(states, "; "))
		for _, s := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
			tail := int64(15)
			logs, err := c.client.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: s.Name, TailLines: &tail}).DoRaw(ctx)
			if err == nil && len(logs) > 0 {
				t.Logf("--- logs of %s/%s ---\n%s", p.Name, s.Name, logs)
			}
		}
	}
	events, err := c.client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Logf("cannot list the events of %s: %v", ns, err)
		return
	}
	for _, e := range events.Items {
		t.Logf("event %s %s/%s: %s %s", e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, e.Message)
	}
}

func stateText(s corev1.ContainerState) string {
	switch {
	case s.Running != nil:
		return "running"
	case s.Waiting != nil:
		return "waiting " + s.Waiting.Reason + " " + s.Waiting.Message
	case s.Terminated != nil:
		return fmt.Sprintf("terminated %s exit=%d", s.Terminated.Reason, s.Terminated.ExitCode)
	}
	return "unknown"
}
