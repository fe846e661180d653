package main

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"
)

// The platforms mysqlctl is released for, as GOOS/GOARCH.
var releasePlatforms = []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"}

// goreleaser is the part of .goreleaser.yaml the krew manifest depends on.
type goreleaser struct {
	Version int `json:"version"`
	Builds  []struct {
		Main   string   `json:"main"`
		Binary string   `json:"binary"`
		Env    []string `json:"env"`
		Goos   []string `json:"goos"`
		Goarch []string `json:"goarch"`
	} `json:"builds"`
	Archives []struct {
		Formats      []string `json:"formats"`
		NameTemplate string   `json:"name_template"`
	} `json:"archives"`
}

// krewPlugin is the krew manifest (krew.googlecontainertools.github.com/v1alpha2).
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Platforms []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			SHA256 string `json:"sha256"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
			Bin string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// The krew manifest installs, for each platform GoReleaser builds, the
// binary out of the archive GoReleaser names, as kubectl-mysqlctl.
func TestReleaseConfigMatchesKrewManifest(t *testing.T) {
	var rel goreleaser
	readYAML(t, ".goreleaser.yaml", &rel)
	var plugin krewPlugin
	readYAML(t, "plugins/mysqlctl.yaml", &plugin)

	if rel.Version != 2 || len(rel.Builds) != 1 || len(rel.Archives) != 1 {
		t.Fatalf("want version 2 with one build and one archive, got %+v", rel)
	}
	build, archive := rel.Builds[0], rel.Archives[0]
	if build.Main != "." || build.Binary != "mysqlctl" || !slices.Contains(build.Env, "CGO_ENABLED=0") {
		t.Errorf("build %+v: want main ., binary mysqlctl, CGO_ENABLED=0", build)
	}
	if !slices.Equal(archive.Formats, []string{"tar.gz"}) {
		t.Errorf("archive formats %v, want [tar.gz]: the krew URIs end in .tar.gz", archive.Formats)
	}
	var built []string
	for _, goos := range build.Goos {
		for _, goarch := range build.Goarch {
			built = append(built, goos+"/"+goarch)
		}
	}
	slices.Sort(built)
	if !slices.Equal(built, releasePlatforms) {
		t.Errorf("goreleaser builds %v, want %v", built, releasePlatforms)
	}
	name, err := template.New("name_template").Option("missingkey=error").Parse(archive.NameTemplate)
	if err != nil {
		t.Fatalf("archive name_template %q: %v", archive.NameTemplate, err)
	}

	if plugin.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || plugin.Kind != "Plugin" || plugin.Metadata.Name != "mysqlctl" {
		t.Errorf("manifest header %s %s %s", plugin.APIVersion, plugin.Kind, plugin.Metadata.Name)
	}
	installs := map[string]bool{}
	for _, p := range plugin.Spec.Platforms {
		platform := p.Selector.MatchLabels["os"] + "/" + p.Selector.MatchLabels["arch"]
		installs[platform] = true
		var archiveName strings.Builder
		vars := struct{ Os, Arch string }{p.Selector.MatchLabels["os"], p.Selector.MatchLabels["arch"]}
		if err := name.Execute(&archiveName, vars); err != nil {
			t.Fatalf("name_template %q uses more than .Os and .Arch, which the krew URIs cannot follow: %v", archive.NameTemplate, err)
		}
		want := "https://github.com/mysqlctl/mysqlctl/releases/download/{{ .TagName }}/" + archiveName.String() + ".tar.gz"
		if p.URI != want {
			t.Errorf("%s: uri %s, want the archive goreleaser names: %s", platform, p.URI, want)
		}
		if len(p.Files) != 1 || p.Files[0].From != build.Binary || p.Files[0].To != p.Bin || p.Bin != "kubectl-mysqlctl" {
			t.Errorf("%s: files %+v bin %q: want %s from the archive installed as kubectl-mysqlctl", platform, p.Files, p.Bin, build.Binary)
		}
		if !strings.Contains(p.SHA256, archiveName.String()) {
			t.Errorf("%s: sha256 placeholder %q names another archive than %s", platform, p.SHA256, archiveName.String())
		}
	}
	if got := slices.Sorted(maps.Keys(installs)); len(plugin.Spec.Platforms) != len(got) || !slices.Equal(got, releasePlatforms) {
		t.Errorf("krew platforms %v (%d entries), want each of %v once", got, len(plugin.Spec.Platforms), releasePlatforms)
	}
}
