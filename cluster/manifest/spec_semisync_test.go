package manifest

import (
	"strings"
	"testing"
)

// semiSync refuses what cannot hold, in one sentence naming the flag.
func TestValidateSemiSync(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   Spec
		refuse string // "" accepts
	}{
		{"off anywhere", Spec{Replicas: 1, Flavor: FlavorMySQL57, SemiSync: "off"}, ""},
		{"on, MariaDB", Spec{Replicas: 3, Flavor: FlavorMariaDB, SemiSync: "on"}, ""},
		{"strict, MySQL 8.4", Spec{Replicas: 2, Flavor: FlavorMySQL, SemiSync: "strict"}, ""},
		{"on, MySQL 8.0.26", Spec{Replicas: 3, Flavor: FlavorMySQL, Version: "8.0.26", SemiSync: "on"}, ""},
		{"a single server", Spec{Replicas: 1, Flavor: FlavorMariaDB, SemiSync: "on"}, "needs a replica to acknowledge commits, and the cluster has 1 server: pass --replicas 2 or more, or --semi-sync off"},
		{"MySQL 5.7", Spec{Replicas: 3, Flavor: FlavorMySQL57, SemiSync: "on"}, "not on mysql57 5.7"},
		{"MySQL 8.0 series", Spec{Replicas: 3, Flavor: FlavorMySQL, Version: "8.0", SemiSync: "on"}, "pass --version 8.4 (or 8.0.26 or later)"},
		{"MySQL 8.0.25", Spec{Replicas: 3, Flavor: FlavorMySQL, Version: "8.0.25", SemiSync: "on"}, "not on mysql 8.0.25"},
		{"a word", Spec{Replicas: 3, Flavor: FlavorMariaDB, SemiSync: "yes"}, `semiSync "yes" is not off, on or strict`},
		{"a short timeout", Spec{Replicas: 3, Flavor: FlavorMariaDB, SemiSync: "on", SemiSyncTimeout: "100ms"}, "--semi-sync-timeout 10s"},
	} {
		err := tc.spec.WithDefaults().Validate()
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.refuse != "" && (err == nil || !strings.Contains(err.Error(), tc.refuse)):
			t.Errorf("%s: %v, want a refusal saying %q", tc.name, err, tc.refuse)
		}
	}
}

// The pods learn semi-sync from the init container's environment, and a
// running StatefulSet gives it back (so scale and up keep it); off sets
// nothing, so the pods of a cluster without it are what they were.
func TestSemiSyncReachesThePodsAndComesBack(t *testing.T) {
	for _, tc := range []struct {
		semiSync, timeout string
		env               string
	}{
		{"off", "", ""},
		{"on", "2500ms", "2500"},
		{"strict", "", "4294967295"},
	} {
		spec := Spec{Replicas: 3, Flavor: FlavorMariaDB, SemiSync: tc.semiSync, SemiSyncTimeout: tc.timeout}.WithDefaults()
		_, sts := buildTyped(t, spec)
		var got string
		for _, c := range sts.Spec.Template.Spec.InitContainers {
			for _, e := range c.Env {
				if e.Name == envSemiSyncTimeoutMillis {
					got = c.Name + "=" + e.Value
				}
			}
		}
		if want := map[bool]string{true: ContainerInitConfig + "=" + tc.env}[tc.env != ""]; got != want {
			t.Errorf("%s: %s in the pods %q, want %q", tc.semiSync, envSemiSyncTimeoutMillis, got, want)
		}
		live := LiveSpec(sts).WithDefaults()
		if live.SemiSync != spec.SemiSync || live.SemiSyncTimeoutMillis() != spec.SemiSyncTimeoutMillis() {
			t.Errorf("%s: read back as %s (%d ms), want %s (%d ms)", tc.semiSync, live.SemiSync, live.SemiSyncTimeoutMillis(), spec.SemiSync, spec.SemiSyncTimeoutMillis())
		}
	}
}
