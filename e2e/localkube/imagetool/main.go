// Command imagetool turns a root filesystem tarball into an image archive
// that `ctr images import` accepts, so the local cluster needs no registry
// and no Docker engine.
//
//	imagetool -rootfs rootfs.tar -tag localhost/x:1 -entrypoint /init -out image.tar [-env K=V ...]
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var env, entrypoint, cmd listFlag
	rootfs := flag.String("rootfs", "", "root filesystem tarball (uncompressed or gzip)")
	tag := flag.String("tag", "", "image reference to record, e.g. localhost/mysqlctl-mariadb:10.11")
	out := flag.String("out", "", "image archive to write")
	user := flag.String("user", "", "default user of the image")
	workdir := flag.String("workdir", "/", "working directory of the image")
	var ports listFlag
	flag.Var(&env, "env", "environment variable K=V (repeatable)")
	flag.Var(&entrypoint, "entrypoint", "entrypoint word (repeatable)")
	flag.Var(&cmd, "cmd", "command word (repeatable)")
	flag.Var(&ports, "expose", "exposed port such as 3306/tcp (repeatable)")
	flag.Parse()
	if *rootfs == "" || *tag == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "imagetool: -rootfs, -tag and -out are required")
		os.Exit(2)
	}
	cfg := v1.Config{Env: env, Entrypoint: entrypoint, Cmd: cmd, User: *user, WorkingDir: *workdir}
	if len(ports) > 0 {
		cfg.ExposedPorts = map[string]struct{}{}
		for _, p := range ports {
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	if err := build(*rootfs, *tag, *out, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "imagetool: %v\n", err)
		os.Exit(1)
	}
}

func build(rootfs, tag, out string, cfg v1.Config) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("parse tag %q: %w", tag, err)
	}
	layer, err := tarball.LayerFromFile(rootfs)
	if err != nil {
		return fmt.Errorf("read layer %s: %w", rootfs, err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return fmt.Errorf("add layer: %w", err)
	}
	file, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	file = file.DeepCopy()
	file.Architecture, file.OS, file.Config = "amd64", "linux", cfg
	img, err = mutate.ConfigFile(img, file)
	if err != nil {
		return fmt.Errorf("set config: %w", err)
	}
	if err := tarball.WriteToFile(out, ref, img); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
