package cmd

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"sigs.k8s.io/yaml"
)

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
	nameKeys = []manifest.SpecKey{manifest.KeyName}
	// scaleKeys: scale changes only the number of servers.
	scaleKeys = []manifest.SpecKey{manifest.KeyName, manifest.KeyReplicas}
)

// allKeys are every spec key, for up and render.
func allKeys() []manifest.SpecKey {
	var keys []manifest.SpecKey
	for _, row := range manifest.SpecKeys() {
		keys = append(keys, row.Key)
	}
	return keys
}

// addSpecFlags adds a flag for each of keys to cmd. They are strings so that
// loadSpec, not pflag, explains a bad value (replicas "abc").
func addSpecFlags(cmd *cobra.Command, keys ...manifest.SpecKey) {
	flags := cmd.Flags()
	for _, row := range manifest.SpecKeys() {
		if slices.Contains(keys, row.Key) {
			flags.String(flagName(row.Name), row.Default, row.Usage+" ["+envName(row.Name)+"]")
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
	spec      manifest.Spec
	namespace string
	given     manifest.Given
}

// loadSpec resolves the keys cmd registered with precedence flag >
// MYSQLCTL_* env > config file (--config) > default, and validates them;
// keys a command did not register keep their defaults. The namespace
// follows -n > MYSQLCTL_NAMESPACE > config file. Bad input comes back as a
// usage error (exit code 2) whose message says what to pass instead
// (liveFlavour: see validateInput).
func loadSpec(cmd *cobra.Command, g *globalOptions, liveFlavour bool) (input, error) {
	in := input{given: manifest.Given{}}
	v := viper.New()
	names := []string{"namespace"}
	var rows []manifest.SpecKeyRow
	for _, row := range manifest.SpecKeys() {
		v.SetDefault(row.Name, row.Default)
		if f := cmd.Flags().Lookup(flagName(row.Name)); f != nil {
			rows = append(rows, row)
			names = append(names, row.Name)
			if err := v.BindPFlag(row.Name, f); err != nil {
				return in, fmt.Errorf("bind --%s: %w", f.Name, err)
			}
			in.given[row.Key] = f.Changed
		}
	}
	for _, k := range names {
		if err := v.BindEnv(k, envName(k)); err != nil {
			return in, fmt.Errorf("bind %s: %w", envName(k), err)
		}
	}
	for _, row := range rows {
		if os.Getenv(envName(row.Name)) != "" {
			in.given[row.Key] = true
		}
	}
	if g.configFile != "" {
		values, err := readSpecFile(g.configFile)
		if err != nil {
			return in, usageError(err)
		}
		used := map[string]any{}
		for _, k := range names {
			if val, ok := values[k]; ok {
				used[k] = val
			}
		}
		for _, row := range rows {
			if _, ok := values[row.Name]; ok {
				in.given[row.Key] = true
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
	if err := manifest.ValidateNamespace(in.namespace); err != nil {
		return in, usageError(err)
	}
	in.spec = spec.WithDefaults()
	if err := validateInput(in, liveFlavour); err != nil {
		return in, usageError(err)
	}
	return in, nil
}

// validateInput validates the spec. With liveFlavour (up, which reads the
// running cluster) a version given without a flavour is checked against
// the flavour the cluster runs, once up has read it (manifest.Declare; a
// new cluster's against the default flavour, in planUp): here every other
// key is checked, with the default flavour's version in its place. Without
// it (render), the version is checked against the flavour given or the
// default one.
func validateInput(in input, liveFlavour bool) error {
	check := in.spec
	if liveFlavour && in.given.Has(manifest.KeyVersion) && !in.given.Has(manifest.KeyFlavor) {
		check.Version, check.Image, check.BackupImage = "", "", ""
		check = check.WithDefaults()
	}
	return check.Validate()
}

// specFromViper reads every key of the table from v: keys a command did not
// register read their defaults.
func specFromViper(v *viper.Viper) (manifest.Spec, error) {
	var spec manifest.Spec
	for _, row := range manifest.SpecKeys() {
		if err := row.Set(&spec, v.GetString(row.Name)); err != nil {
			return manifest.Spec{}, err
		}
	}
	return spec, nil
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

// specKeyNames are the names of the table's keys, in help order.
func specKeyNames() []string {
	names := []string{}
	for _, row := range manifest.SpecKeys() {
		names = append(names, row.Name)
	}
	return names
}
