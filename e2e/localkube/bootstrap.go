package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// bootstrap finishes a freshly started cluster: it creates the default
// StorageClass (host-path, provisioned by kube-controller-manager) and waits
// until the node is Ready, the default ServiceAccount exists and cluster DNS
// answers, so that the first workload does not race the control plane.
func bootstrap(args []string) error {
	flags := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "admin kubeconfig")
	node := flags.String("node", "", "node name")
	dns := flags.String("dns", "", "cluster DNS address host:port")
	timeout := flags.Duration("timeout", 2*time.Minute, "how long to wait")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := ensureStorageClass(ctx, client); err != nil {
		return err
	}
	steps := []struct {
		what string
		done wait.ConditionWithContextFunc
	}{
		{"node " + *node + " Ready", func(ctx context.Context) (bool, error) { return nodeReady(ctx, client, *node), nil }},
		{"default ServiceAccount", func(ctx context.Context) (bool, error) {
			_, err := client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
			return err == nil, nil
		}},
		{"cluster DNS at " + *dns, func(ctx context.Context) (bool, error) { return dnsAnswers(ctx, *dns), nil }},
	}
	for _, step := range steps {
		if err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, step.done); err != nil {
			return fmt.Errorf("waiting for %s: %w", step.what, err)
		}
		fmt.Fprintf(os.Stderr, "  ✓ %s\n", step.what)
	}
	return nil
}

// ensureStorageClass makes the default class bind on first use
// (WaitForFirstConsumer, the default of most provisioners people run). With
// Immediate binding the scheduler places a pod as soon as the PV controller
// has named its PVC's volume, a moment before that controller marks the
// PVC Bound; a kubelet that reads the PVC in between refuses the pod ("PVC
// is not bound") and tries again only after its 10-second back-off, which
// made a random up take 10 s longer. With WaitForFirstConsumer the
// scheduler binds the pod only after it has seen the volume bound. The
// binding mode is immutable: a class made by an older localkube is
// replaced.
func ensureStorageClass(ctx context.Context, client kubernetes.Interface) error {
	reclaim := corev1.PersistentVolumeReclaimDelete
	binding := storagev1.VolumeBindingWaitForFirstConsumer
	class := &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{
			Name:        "standard",
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"},
		},
		Provisioner:       "kubernetes.io/host-path",
		ReclaimPolicy:     &reclaim,
		VolumeBindingMode: &binding,
	}
	return wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		old, err := client.StorageV1().StorageClasses().Get(ctx, class.Name, metav1.GetOptions{})
		switch {
		case err == nil && old.VolumeBindingMode != nil && *old.VolumeBindingMode == binding:
			return true, nil
		case err == nil:
			_ = client.StorageV1().StorageClasses().Delete(ctx, class.Name, metav1.DeleteOptions{})
			return false, nil
		}
		_, err = client.StorageV1().StorageClasses().Create(ctx, class, metav1.CreateOptions{})
		return err == nil, nil // the apiserver may still be starting its RBAC bootstrap
	})
}

func nodeReady(ctx context.Context, client kubernetes.Interface, name string) bool {
	node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false
	}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func dnsAnswers(ctx context.Context, server string) bool {
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	addrs, err := resolver.LookupHost(ctx, "kubernetes.default.svc.cluster.local")
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || len(addrs) == 0 {
		return false
	}
	return err == nil
}

// health exits 0 when the API server answers /readyz: the scripts' cheap
// "is the cluster up" check, with no curl or kubectl on the machine.
func health(args []string) error {
	flags := flag.NewFlagSet("health", flag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "admin kubeconfig")
	timeout := flags.Duration("timeout", 3*time.Second, "how long to wait for an answer")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.Timeout = *timeout
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("readyz: %w (%s)", err, body)
	}
	return nil
}
