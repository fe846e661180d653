// Command localkube is every process of a single-node Kubernetes in one
// binary: it runs the component named by its first argument (or by the name
// it was invoked under, hyperkube style). One binary instead of six saves
// minutes of linking and gigabytes of disk on a 2-core machine.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var commands = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kubelet":                 func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
	"kube-proxy":              proxy.NewProxyCommand,
}

// tools are the helpers the cluster scripts call instead of curl or kubectl.
var tools = map[string]func(args []string) error{
	"bootstrap": bootstrap,
	"health":    health,
}

func main() {
	name, args := filepath.Base(os.Args[0]), os.Args[1:]
	if strings.HasPrefix(name, "localkube") && len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if tool, ok := tools[name]; ok {
		if err := tool(args); err != nil {
			fmt.Fprintf(os.Stderr, "localkube %s: %v\n", name, err)
			os.Exit(1)
		}
		return
	}
	if name == "etcd" {
		etcdmain.Main(append([]string{"etcd"}, args...))
		return
	}
	newCommand, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "localkube: unknown component %q (want etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet or kube-proxy)\n", name)
		os.Exit(2)
	}
	if name == "kube-controller-manager" {
		go openHostPathVolumes(args)
	}
	command := newCommand()
	command.SetArgs(args)
	os.Exit(cli.Run(command))
}
