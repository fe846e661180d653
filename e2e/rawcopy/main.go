// Command rawcopy is make bench's yardstick for mysqlctl backup: it copies
// a pod's datadir as a plain tar stream through the same Kubernetes API
// exec that backup uses, to a local file, and prints "BYTES SECONDS". The
// backup's throughput is compared with it in the same run.
//
// usage: go run ./e2e/rawcopy -n NAMESPACE -pod POD -o FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func main() {
	ns := flag.String("n", "", "namespace")
	pod := flag.String("pod", "", "pod whose datadir is copied")
	out := flag.String("o", "", "file to write")
	flag.Parse()
	if *ns == "" || *pod == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: rawcopy -n NAMESPACE -pod POD -o FILE")
		os.Exit(2)
	}
	client, err := kube.NewClient(kube.ConnectOptions{Namespace: *ns})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	w := &counter{w: f}
	start := time.Now()
	err = client.Exec(context.Background(), *pod, manifest.ContainerSidecar,
		// GNU tar exits 1 when a live file changed while read: a yardstick
		// of bytes per second, not a backup.
		[]string{"bash", "-c", `tar -C "$1" -cf - . 2>/dev/null; [ $? -le 1 ]`, "rawcopy", manifest.MountDatadir},
		kube.ExecOptions{Stdout: w, Stderr: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "raw copy:", err)
		os.Exit(1)
	}
	fmt.Printf("%d %.3f\n", w.n, time.Since(start).Seconds())
}
