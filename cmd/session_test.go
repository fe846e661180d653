package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// The namespace of the spec (flag > MYSQLCTL_NAMESPACE > config file) is
// the one every command connects to, mutating ones included.
func TestConnectOptionsUseTheSpecNamespace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(file, []byte("namespace: from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, flag, env, want string
	}{
		{"config file", "", "", "from-file"},
		{"environment beats the file", "", "from-env", "from-env"},
		{"-n beats both", "from-flag", "from-env", "from-flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("MYSQLCTL_NAMESPACE", tc.env)
			}
			g := &globalOptions{configFile: file, namespace: tc.flag}
			cmd := &cobra.Command{}
			addSpecFlags(cmd)
			spec, err := loadSpec(cmd, g)
			if err != nil {
				t.Fatal(err)
			}
			if got := connectOptions(g, spec.Namespace).Namespace; got != tc.want {
				t.Errorf("connect to namespace %q, want %q", got, tc.want)
			}
		})
	}
}
