package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// The built-in host-path provisioner makes each volume's directory root's,
// mode 0750, and the kubelet cannot give a host-path volume to a pod's
// fsGroup. Pods that run as non-root (Kubernetes' "restricted" Pod Security
// Standard, as mysqlctl's do) could then write nothing on their volumes. Real
// storage does not behave so: block volumes are handed to fsGroup by the
// kubelet, and rancher's local-path provisioner makes its directories 0777.
// So the controller manager of this test cluster opens each provisioned
// directory the same way, as soon as its PersistentVolume appears: before
// the claim binds, so before any pod can mount it.
const hostPathProvisionerDir = "/tmp/hostpath_pv/"

// openHostPathVolumes runs for the controller manager's life; it reads the
// --kubeconfig of the controller manager's own arguments.
func openHostPathVolumes(args []string) {
	kubeconfig := flagValue(args, "--kubeconfig")
	if kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "localkube: no --kubeconfig: host-path volumes stay root's")
		return
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localkube: host-path volume modes: %v\n", err)
		return
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localkube: host-path volume modes: %v\n", err)
		return
	}
	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	open := func(obj any) {
		pv, ok := obj.(*corev1.PersistentVolume)
		if !ok || pv.Spec.HostPath == nil || !strings.HasPrefix(pv.Spec.HostPath.Path, hostPathProvisionerDir) {
			return
		}
		if err := os.Chmod(pv.Spec.HostPath.Path, 0o777); err != nil && !os.IsNotExist(err) {
			fmt.Fprintf(os.Stderr, "localkube: open volume %s: %v\n", pv.Name, err)
		}
	}
	_, err = factory.Core().V1().PersistentVolumes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    open,
		UpdateFunc: func(_, obj any) { open(obj) },
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "localkube: host-path volume modes: %v\n", err)
		return
	}
	factory.Start(context.Background().Done())
}

// flagValue finds "--name value" or "--name=value" in args.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}
