package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportArrows keeps the layering main -> cmd -> cluster ->
// cluster/manifest -> {kube, sql, configs, certs}: each package may not
// import what sits above it or beside it, and the terminal libraries stay in
// cmd.
func TestImportArrows(t *testing.T) {
	const module = "github.com/mysqlctl/mysqlctl/"
	forbidden := map[string][]string{
		"sql":     {"k8s.io/", module + "kube", module + "cluster", module + "cmd", "github.com/spf13/", "github.com/olekukonko/"},
		"kube":    {module + "sql", module + "cluster", module + "cmd", "github.com/spf13/", "github.com/olekukonko/"},
		"configs": {module, "k8s.io/", "github.com/spf13/"},
		// cluster reaches Kubernetes only through kube's methods, never the
		// typed clientset (one place that knows how each call is made).
		"cluster": {module + "cmd", "github.com/spf13/", "github.com/olekukonko/", "k8s.io/client-go/kubernetes", "k8s.io/client-go/rest"},
		// manifest is pure: the spec and the objects built from it, with no
		// way to reach a cluster (kube only for its label names).
		"cluster/manifest": {module + "cmd", module + "cluster", "github.com/spf13/", "github.com/olekukonko/",
			"k8s.io/client-go/kubernetes", "k8s.io/client-go/rest", "k8s.io/client-go/tools", "k8s.io/client-go/dynamic"},
	}
	// certs, the TLS material, imports the standard library alone (whose
	// paths have no dot in their first element).
	for _, imp := range imports(t, "certs") {
		if first, _, _ := strings.Cut(imp.path, "/"); strings.Contains(first, ".") {
			t.Errorf("%s imports %s: certs may depend on the standard library only", imp.file, imp.path)
		}
	}
	for dir, bad := range forbidden {
		for _, imp := range imports(t, dir) {
			for _, prefix := range bad {
				if strings.HasPrefix(imp.path, prefix) {
					t.Errorf("%s imports %s: %s may not depend on %s", imp.file, imp.path, dir, prefix)
				}
			}
		}
	}
}

type importOf struct{ file, path string }

// imports lists the imports of the non-test Go files in dir.
func imports(t *testing.T, dir string) []importOf {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s (%v)", dir, err)
	}
	var out []importOf
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range parsed.Imports {
			path, _ := strconv.Unquote(spec.Path.Value)
			out = append(out, importOf{file: file, path: path})
		}
	}
	return out
}
