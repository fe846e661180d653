package cmd

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"sigs.k8s.io/yaml"

	"github.com/mysqlctl/mysqlctl/cluster"
)

// specKey is one key of the cluster spec. The same name works in the config
// file (key), as a flag (kebab-case, camelCase accepted too) and as the
// environment variable MYSQLCTL_<KEY> (snake case).
type specKey struct {
	key   string
	def   string // the flag's default, "" when it follows the flavour
	usage string
}

// specKeys lists the keys in help order. namespace is a key too, but its
// flag is the global -n/--namespace.
func specKeys() []specKey {
	d := cluster.DefaultSpec()
	return []specKey{
		{"name", d.Name, "name of the cluster: its StatefulSet, Services and pods <name>-0, <name>-1, ..."},
		{"replicas", strconv.Itoa(int(d.Replicas)), "number of servers: pod 0 is the primary, the others read-only replicas"},
		{"flavor", string(d.Flavor), "server family: mysql, mariadb or mysql57"},
		{"version", "", "server version (default: mysql 8.4, mariadb 10.11, mysql57 5.7)"},
		{"image", "", "server image (default: follows flavor and version, e.g. mysql:8.4)"},
		{"backupImage", "", "image of the clone and sidecar containers (default: the server image; mysql57: " + cluster.DefaultXtrabackupImage + ")"},
		{"storage", d.StorageSize, "size of each server's data volume"},
		{"storageClass", "", "StorageClass of the data volumes (default: the cluster's default class)"},
		{"cpu", d.CPURequest, "CPU requested by each server"},
		{"memory", d.MemoryRequest, "memory requested by each server"},
		{"binlogRetention", d.BinlogRetention, "how long servers keep binary logs (a replica away longer is cloned again)"},
		{"maxReadLag", d.MaxReadLag, "how stale a replica may be and still serve reads through <name>-read"},
		{"tls", d.TLS, "clients' TLS: required (the servers refuse plain connections) or preferred; replication and clones always use TLS"},
		{"networkPolicy", d.NetworkPolicy, "true: a NetworkPolicy lets only the cluster's pods reach the clone port (needs a network plugin that enforces policies)"},
	}
}

// fileOnlyKeys are keys that have no flag of their own here.
func fileOnlyKeys() []string { return []string{"namespace"} }

// flagName is the kebab-case form of a camelCase key: storageClass -> storage-class.
func flagName(key string) string {
	var b strings.Builder
	for _, r := range key {
		if unicode.IsUpper(r) {
			b.WriteByte('-')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// envName is the environment variable of a key: storageClass -> MYSQLCTL_STORAGE_CLASS.
func envName(key string) string {
	return "MYSQLCTL_" + strings.ToUpper(strings.ReplaceAll(flagName(key), "-", "_"))
}

// Key sets: each command registers the spec keys it uses, and only those.
var (
	// nameKeys are all that status, check and down need of the spec.
	nameKeys = []string{"name"}
	// scaleKeys: scale changes only the number of servers.
	scaleKeys = []string{"name", "replicas"}
)

// allKeys are every spec key, for up and render.
func allKeys() []string { return specKeyNames() }

// addSpecFlags adds a flag for each of keys to cmd. They are strings so that
// loadSpec, not pflag, explains a bad value (replicas "abc").
func addSpecFlags(cmd *cobra.Command, keys ...string) {
	flags := cmd.Flags()
	for _, k := range specKeys() {
		if slices.Contains(keys, k.key) {
			flags.String(flagName(k.key), k.def, k.usage+" ["+envName(k.key)+"]")
		}
	}
	// The key's own camelCase spelling works as a flag too: --storageClass.
	flags.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(flagName(name))
	})
}

// input is what a command was given: the validated spec, the namespace
// to connect to ("" for the kubeconfig context's) and which spec keys were
// given explicitly rather than defaulted.
type input struct {
	spec      cluster.Spec
	namespace string
	given     map[string]bool
}

// loadSpec resolves the keys cmd registered with precedence flag >
// MYSQLCTL_* env > config file (--config) > default, and validates them;
// keys a command did not register keep their defaults. The namespace
// follows -n > MYSQLCTL_NAMESPACE > config file. Bad input comes back as a
// usage error (exit code 2) whose message says what to pass instead.
func loadSpec(cmd *cobra.Command, g *globalOptions) (input, error) {
	in := input{given: map[string]bool{}}
	v := viper.New()
	for _, k := range specKeys() {
		v.SetDefault(k.key, k.def)
	}
	keys := []string{"namespace"}
	for _, k := range specKeyNames() {
		if f := cmd.Flags().Lookup(flagName(k)); f != nil {
			keys = append(keys, k)
			if err := v.BindPFlag(k, f); err != nil {
				return in, fmt.Errorf("bind --%s: %w", f.Name, err)
			}
			in.given[k] = f.Changed
		}
	}
	for _, k := range keys {
		if err := v.BindEnv(k, envName(k)); err != nil {
			return in, fmt.Errorf("bind %s: %w", envName(k), err)
		}
		if os.Getenv(envName(k)) != "" {
			in.given[k] = true
		}
	}
	if g.configFile != "" {
		values, err := readSpecFile(g.configFile)
		if err != nil {
			return in, usageError(err)
		}
		used := map[string]any{}
		for _, k := range keys {
			if val, ok := values[k]; ok {
				used[k] = val
				in.given[k] = true
			}
		}
		if err := v.MergeConfigMap(used); err != nil {
			return in, usageError(fmt.Errorf("config file %s: %w", g.configFile, err))
		}
	}
	spec, err := specFromViper(v)
	if err != nil {
		return in, usageError(err)
	}
	in.namespace = v.GetString("namespace")
	if g.namespace != "" {
		in.namespace = g.namespace
	}
	if err := cluster.ValidateNamespace(in.namespace); err != nil {
		return in, usageError(err)
	}
	in.spec = spec.WithDefaults()
	if err := in.spec.Validate(); err != nil {
		return in, usageError(err)
	}
	return in, nil
}

func specFromViper(v *viper.Viper) (cluster.Spec, error) {
	replicas, err := parseReplicas(v.GetString("replicas"))
	if err != nil {
		return cluster.Spec{}, err
	}
	return cluster.Spec{
		Name:            v.GetString("name"),
		Replicas:        replicas,
		Flavor:          cluster.Flavor(v.GetString("flavor")),
		Version:         v.GetString("version"),
		Image:           v.GetString("image"),
		BackupImage:     v.GetString("backupImage"),
		StorageSize:     v.GetString("storage"),
		StorageClass:    v.GetString("storageClass"),
		CPURequest:      v.GetString("cpu"),
		MemoryRequest:   v.GetString("memory"),
		BinlogRetention: v.GetString("binlogRetention"),
		MaxReadLag:      v.GetString("maxReadLag"),
		TLS:             v.GetString("tls"),
		NetworkPolicy:   v.GetString("networkPolicy"),
	}, nil
}

// parseReplicas reads a replica count from a flag, variable or file value.
func parseReplicas(s string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil || n < 1 {
		return 0, &cluster.InvalidSpecError{Field: "replicas",
			Message: fmt.Sprintf("replicas must be a whole number ≥ 1, got %q: pass --replicas 1 or more", s)}
	}
	return int32(n), nil
}

// duplicateKey matches the YAML decoder's words for a key given twice.
var duplicateKey = regexp.MustCompile(`line (\d+): key "([^"]*)" already set`)

// oneLine joins a multi-line message, so an error stays one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// readSpecFile reads a YAML config file of spec keys. Unknown keys are
// errors: a misspelt key silently ignored would build the wrong cluster.
func readSpecFile(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config file %s: %w", path, err)
	}
	var values map[string]any
	// Strict: a key given twice is refused, not silently the last one.
	if err := yaml.UnmarshalStrict(raw, &values); err != nil {
		if m := duplicateKey.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("key %q is set twice in config file %s (line %s): keep one", m[2], path, m[1])
		}
		return nil, fmt.Errorf("config file %s is not a YAML mapping of spec keys (see mysqlctl render --example-config): %s", path, oneLine(err.Error()))
	}
	out := make(map[string]any, len(values))
	for key, value := range values {
		if err := checkFileKey(path, key, value); err != nil {
			return nil, err
		}
		if value != nil {
			out[key] = fmt.Sprint(value)
		}
	}
	return out, nil
}

func checkFileKey(path, key string, value any) error {
	known := append(specKeyNames(), fileOnlyKeys()...)
	for _, k := range known {
		if k == key {
			return checkFileValue(path, key, value)
		}
	}
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return fmt.Errorf("unknown key %q in config file %s: did you mean %q?", key, path, k)
		}
	}
	return fmt.Errorf("unknown key %q in config file %s: the keys are %s", key, path, strings.Join(known, ", "))
}

func checkFileValue(path, key string, value any) error {
	switch value.(type) {
	case map[string]any, []any:
		return fmt.Errorf("key %q in config file %s must be a single value, not a list or mapping", key, path)
	case float64:
		if key == "version" {
			// YAML reads 8.0 as the number 8: only a string keeps the version.
			return fmt.Errorf("version in config file %s must be a quoted string such as \"8.0\" (YAML read it as the number %v)", path, value)
		}
	}
	return nil
}

func specKeyNames() []string {
	names := []string{}
	for _, k := range specKeys() {
		names = append(names, k.key)
	}
	return names
}
