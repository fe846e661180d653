// Command scrape is make bench's reader of a pod's metrics exporter: it
// fetches /metrics through the API server's port-forward (the product's
// kube.OpenPodPort, no kubectl) and prints the sample lines whose metric
// name is one of the names given, or every sample line without names.
//
// usage: go run ./e2e/scrape -n NAMESPACE -pod POD [NAME...]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

func main() {
	ns := flag.String("n", "", "namespace")
	pod := flag.String("pod", "", "pod whose exporter is read")
	flag.Parse()
	if *ns == "" || *pod == "" {
		fmt.Fprintln(os.Stderr, "usage: scrape -n NAMESPACE -pod POD [NAME...]")
		os.Exit(2)
	}
	if err := run(*ns, *pod, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "scrape:", err)
		os.Exit(1)
	}
}

func run(ns, pod string, names []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := kube.NewClient(kube.ConnectOptions{Namespace: ns})
	if err != nil {
		return err
	}
	port, err := client.OpenPodPort(ctx, pod, manifest.PortMetrics)
	if err != nil {
		return err
	}
	httpc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) { return port.DialContext(ctx, addr) },
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+port.Addr()+"/metrics", nil)
	if err != nil {
		return err
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /metrics on %s: %s", pod, resp.Status)
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		if len(names) == 0 || slices.Contains(names, name) {
			fmt.Println(line)
		}
	}
	return lines.Err()
}
