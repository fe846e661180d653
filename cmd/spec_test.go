package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/spf13/cobra"
)

// clearSpecEnv unsets every MYSQLCTL_* variable a developer's shell may hold.
func clearSpecEnv(t *testing.T) {
	t.Helper()
	for _, k := range append(specKeyNames(), fileOnlyKeys()...) {
		t.Setenv(envName(k), "") // empty counts as unset
	}
}

// loadSpecFrom runs loadSpec the way up does: global --config and -n flags
// as on the root command, every spec key's flag.
func loadSpecFrom(t *testing.T, args []string, env map[string]string, file string) (manifest.Spec, error) {
	t.Helper()
	in, err := loadInputFrom(t, allKeys(), args, env, file)
	return in.spec, err
}

// loadInputFrom runs loadSpec for a command that registered keys.
func loadInputFrom(t *testing.T, keys []manifest.SpecKey, args []string, env map[string]string, file string) (input, error) {
	t.Helper()
	clearSpecEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	g := &globalOptions{}
	if file != "" {
		g.configFile = filepath.Join(t.TempDir(), "mysqlctl.yaml")
		if err := os.WriteFile(g.configFile, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var in input
	var loadErr error
	cmd := &cobra.Command{Use: "test", RunE: func(cmd *cobra.Command, _ []string) error {
		in, loadErr = loadSpec(cmd, g, true)
		return nil
	}}
	cmd.Flags().StringVarP(&g.namespace, "namespace", "n", "", "")
	addSpecFlags(cmd, keys...)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return in, loadErr
}

func TestLoadSpecPrecedence(t *testing.T) {
	def := manifest.DefaultSpec()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want func(s *manifest.Spec)
	}{
		{"defaults", nil, nil, "", func(*manifest.Spec) {}},
		{"file", nil, nil, "replicas: 5\nflavor: mariadb\nstorageClass: fast\n", func(s *manifest.Spec) {
			s.Replicas, s.Flavor, s.Version, s.Image, s.StorageClass = 5, "mariadb", "10.11", "mariadb:10.11", "fast"
		}},
		{"env over file", nil, map[string]string{"MYSQLCTL_REPLICAS": "4", "MYSQLCTL_STORAGE_CLASS": "slow"},
			"replicas: 5\nstorageClass: fast\n", func(s *manifest.Spec) { s.Replicas, s.StorageClass = 4, "slow" }},
		{"flag over env over file", []string{"--replicas", "2", "--storage-class", "ssd"},
			map[string]string{"MYSQLCTL_REPLICAS": "4", "MYSQLCTL_STORAGE_CLASS": "slow"},
			"replicas: 5\nstorageClass: fast\n", func(s *manifest.Spec) { s.Replicas, s.StorageClass = 2, "ssd" }},
		{"camelCase flag", []string{"--storageClass", "ssd", "--backupImage", "tools:1"}, nil, "",
			func(s *manifest.Spec) { s.StorageClass, s.BackupImage = "ssd", "tools:1" }},
		{"env only", nil, map[string]string{"MYSQLCTL_NAME": "db", "MYSQLCTL_FLAVOR": "mysql57", "MYSQLCTL_CPU": "50m"}, "",
			func(s *manifest.Spec) {
				s.Name, s.Flavor, s.Version, s.Image, s.BackupImage, s.CPURequest =
					"db", "mysql57", "5.7", "mysql:5.7.44", manifest.DefaultXtrabackupImage, "50m"
			}},
		{"explicit version and image", []string{"--flavor", "mysql", "--version", "8.0", "--image", "registry.local/mysql:8.0.36"}, nil, "",
			func(s *manifest.Spec) { s.Version, s.Image = "8.0", "registry.local/mysql:8.0.36" }},
		{"empty file", nil, nil, "# nothing\n", func(*manifest.Spec) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadSpecFrom(t, tt.args, tt.env, tt.file)
			if err != nil {
				t.Fatalf("loadSpec: %v", err)
			}
			want := def
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadSpecRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want string // the whole message
	}{
		{"replicas abc flag", []string{"--replicas", "abc"}, nil, "",
			`replicas must be a whole number ≥ 1, got "abc": pass --replicas 1 or more`},
		{"replicas abc env", nil, map[string]string{"MYSQLCTL_REPLICAS": "abc"}, "",
			`replicas must be a whole number ≥ 1, got "abc": pass --replicas 1 or more`},
		{"replicas 0", []string{"--replicas", "0"}, nil, "",
			`replicas must be a whole number ≥ 1, got "0": pass --replicas 1 or more`},
		{"replicas 2.5 in file", nil, nil, "replicas: 2.5\n",
			`replicas must be a whole number ≥ 1, got "2.5": pass --replicas 1 or more`},
		{"unknown flavour", []string{"--flavor", "postgres"}, nil, "",
			`flavor "postgres" is not known: pass --flavor mysql, mariadb or mysql57`},
		{"unknown key", nil, nil, "name: db\nreplica: 3\n", ""},
		{"misspelt case", nil, nil, "storageclass: fast\n", ""},
		{"unquoted version", nil, nil, "flavor: mysql\nversion: 8.0\n", ""},
		{"list value", nil, nil, "name: [a, b]\n", ""},
		{"not a mapping", nil, nil, "- name\n", ""},
		{"duplicate key", nil, nil, "replicas: 3\nreplicas: 4\n", ""},
		{"bad namespace", []string{"-n", "Bad_NS"}, nil, "", ""},
		{"bad memory", []string{"--memory", "lots"}, nil, "",
			`memory "lots" is not a positive Kubernetes quantity: pass e.g. --memory 256Mi`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadSpecFrom(t, tt.args, tt.env, tt.file)
			var coded *exitCodeError
			if !errors.As(err, &coded) || coded.code != exitUsage {
				t.Fatalf("loadSpec error %v, want a usage error", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message spans lines: %q", msg)
			}
			if tt.want != "" && msg != tt.want {
				t.Errorf("message\n %q\nwant\n %q", msg, tt.want)
			}
		})
	}
}

func TestLoadSpecNamesTheUnknownKeyAndFile(t *testing.T) {
	_, err := loadSpecFrom(t, nil, nil, "replica: 3\n")
	if err == nil || !strings.Contains(err.Error(), `unknown key "replica" in config file `) ||
		!strings.Contains(err.Error(), "mysqlctl.yaml") || !strings.Contains(err.Error(), "replicas") {
		t.Errorf("error %v, want one naming the key, the file and the valid keys", err)
	}
	_, err = loadSpecFrom(t, nil, nil, "storageclass: x\n")
	if err == nil || !strings.Contains(err.Error(), `did you mean "storageClass"?`) {
		t.Errorf("error %v, want a suggestion", err)
	}
}

func TestLoadSpecMissingConfigFile(t *testing.T) {
	clearSpecEnv(t)
	g := &globalOptions{configFile: filepath.Join(t.TempDir(), "absent.yaml")}
	cmd := &cobra.Command{Use: "test"}
	addSpecFlags(cmd, allKeys()...)
	_, err := loadSpec(cmd, g, false)
	var coded *exitCodeError
	if !errors.As(err, &coded) || coded.code != exitUsage || !strings.Contains(err.Error(), "cannot read config file") {
		t.Errorf("error %v, want a usage error about the file", err)
	}
}

// TestExampleConfigLoads keeps configs/mysqlctl.example.yaml valid: it
// documents every key and loads to the defaults.
func TestExampleConfigLoads(t *testing.T) {
	raw, err := os.ReadFile("../configs/mysqlctl.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := loadSpecFrom(t, nil, nil, string(raw))
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if diff := cmp.Diff(manifest.DefaultSpec(), got); diff != "" {
		t.Errorf("example config is not the defaults (-want +got):\n%s", diff)
	}
	for _, k := range append(specKeyNames(), fileOnlyKeys()...) {
		if !strings.Contains(string(raw), "\n"+k+":") {
			t.Errorf("example config does not document key %s", k)
		}
	}
}

func TestFlagAndEnvNames(t *testing.T) {
	for key, want := range map[string][2]string{
		"storageClass": {"storage-class", "MYSQLCTL_STORAGE_CLASS"},
		"backupImage":  {"backup-image", "MYSQLCTL_BACKUP_IMAGE"},
		"replicas":     {"replicas", "MYSQLCTL_REPLICAS"},
	} {
		if flagName(key) != want[0] || envName(key) != want[1] {
			t.Errorf("%s: flag %s env %s, want %v", key, flagName(key), envName(key), want)
		}
	}
}

// up --version without --flavor is checked against the flavour the cluster
// runs, which only up can read: the command line lets it through (up
// checks it), while a wrong version with the flavour given is still
// refused here, and so are the other keys.
func TestAVersionWithoutAFlavourWaitsForTheRunningCluster(t *testing.T) {
	in, err := loadInputFrom(t, allKeys(), []string{"--version", "11.8"}, nil, "")
	if err != nil {
		t.Fatalf("up --version 11.8 refused before the cluster was read: %v", err)
	}
	if in.spec.Version != "11.8" || !in.given.Has(manifest.KeyVersion) || in.given.Has(manifest.KeyFlavor) {
		t.Errorf("spec %+v, given %v", in.spec, in.given)
	}
	for _, args := range [][]string{
		{"--version", "11.8", "--flavor", "mysql"},
		{"--version", "11.8", "--memory", "lots"},
	} {
		if _, err := loadInputFrom(t, allKeys(), args, nil, ""); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
