package cmd

import (
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// The namespace (-n > MYSQLCTL_NAMESPACE > config file) is resolved once,
// for every command, whatever spec keys it registered.
func TestNamespacePrecedence(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"config file", nil, nil, "from-file"},
		{"environment beats the file", nil, map[string]string{"MYSQLCTL_NAMESPACE": "from-env"}, "from-env"},
		{"-n beats both", []string{"-n", "from-flag"}, map[string]string{"MYSQLCTL_NAMESPACE": "from-env"}, "from-flag"},
	}
	for _, keys := range [][]manifest.SpecKey{allKeys(), scaleKeys, nameKeys} {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in, err := loadInputFrom(t, keys, tc.args, tc.env, "namespace: from-file\n")
				if err != nil {
					t.Fatal(err)
				}
				if in.namespace != tc.want {
					t.Errorf("keys %v: namespace %q, want %q", keys, in.namespace, tc.want)
				}
			})
		}
	}
}

// A command reads only the keys it registered, from every source, and
// knows which were given rather than defaulted.
func TestCommandKeys(t *testing.T) {
	// scale honours replicas from the environment and the file like a flag.
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		file string
	}{
		"flag": {args: []string{"--replicas", "5"}},
		"env":  {env: map[string]string{"MYSQLCTL_REPLICAS": "5"}},
		"file": {file: "replicas: 5\n"},
	} {
		in, err := loadInputFrom(t, scaleKeys, tc.args, tc.env, tc.file)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !in.given.Has(manifest.KeyReplicas) || in.spec.Replicas != 5 {
			t.Errorf("scale, replicas by %s: given %v, replicas %d; want given, 5", name, in.given.Has(manifest.KeyReplicas), in.spec.Replicas)
		}
	}
	in, err := loadInputFrom(t, scaleKeys, nil, nil, "")
	if err != nil || in.given.Has(manifest.KeyReplicas) {
		t.Errorf("scale without replicas: given %v (err %v), want not given", in.given.Has(manifest.KeyReplicas), err)
	}
	// down uses only the name: a file written for up, with values down
	// never reads, is no reason to refuse.
	in, err = loadInputFrom(t, nameKeys, nil, map[string]string{"MYSQLCTL_REPLICAS": "0"}, "name: db\nmemory: lots\n")
	if err != nil || in.spec.Name != "db" {
		t.Errorf("down with keys it does not use: name %q, err %v; want db and no error", in.spec.Name, err)
	}
}
