package configs_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// The derivation on small scripts, one construct each: what bash would run
// is found, what it would not run is not, and what it cannot resolve is an
// error rather than a silent gap.
func TestScriptCallsFollowBash(t *testing.T) {
	builtins, err := bashBuiltins()
	if err != nil {
		t.Skip(err)
	}
	lib := "f() { helper_prog; }\n"
	tests := []struct {
		name    string
		main    string
		env     map[string]string
		need    []string // exactly
		choices []string
		err     string // part of the error, "" for none
	}{
		{"builtins need no program", "printf x; echo y; kill 1; wait; read -r v; [[ -n x ]]", nil, []string{"bash"}, nil, ""},
		{"timeout runs its command", "timeout -k 5 10 prog_a --opt", nil, []string{"bash", "prog_a", "timeout"}, nil, ""},
		{"exec and command run theirs", "exec prog_a; command prog_b", nil, []string{"bash", "prog_a", "prog_b"}, nil, ""},
		{"command -v is a choice", "if command -v prog_a >/dev/null; then prog_a; else prog_b; fi", nil, []string{"bash"}, []string{"prog_a|prog_b"}, ""},
		{"what both branches run is needed", "if command -v prog_a; then prog_a; prog_c; else prog_b; prog_c; fi", nil, []string{"bash", "prog_c"}, []string{"prog_a|prog_b"}, ""},
		{"source through dirname, then a function", `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"; f`, nil, []string{"bash", "dirname", "helper_prog"}, nil, ""},
		{"a variable resolved from the flavour", `case "${FLAVOR:-}" in x) T=prog_x ;; *) T=prog_y ;; esac; "$T" --version`,
			map[string]string{"FLAVOR": "x"}, []string{"bash", "prog_x"}, nil, ""},
		{"a known empty test skips its branch", `E=""; if [[ -n "$E" ]]; then never_run; fi; if [[ "$FLAVOR" == y ]]; then never_run; fi`,
			map[string]string{"FLAVOR": "x"}, []string{"bash"}, nil, ""},
		{"an unknown test takes both branches", `if ((RANDOM > 1)); then prog_a; else prog_b; fi`, nil, []string{"bash", "prog_a", "prog_b"}, nil, ""},
		{"a script another program runs with bash", `s="$DIR/lib.sh"; socat - "SYSTEM:bash $s"`, nil, []string{"bash", "socat"}, nil, ""},
		{"a trap handler", "g() { prog_t; }; trap g TERM", nil, []string{"bash", "prog_t"}, nil, ""},
		{"command substitutions and pipes", `x=$(prog_a | prog_b); prog_c <<<"$(prog_d)"`, nil, []string{"bash", "prog_a", "prog_b", "prog_c", "prog_d"}, nil, ""},
		{"an unresolvable command is an error", `"$NOT_SET" --x`, nil, nil, nil, `cannot tell which program "…"`},
		{"an empty command is an error", `T=""; "$T" --x`, nil, nil, nil, "empty command name"},
		{"eval is an error", `eval "prog_a"`, nil, nil, nil, "eval"},
		{"a command through env is an error", `env X=1 prog_a`, nil, nil, nil, "through env"},
		{"find -exec is an error", `find / -exec prog_a {} +`, nil, nil, nil, "through find"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scripts := map[string]string{"main.sh": "#!/bin/bash\n" + tt.main + "\n", "lib.sh": lib}
			got, err := scriptCalls(scripts, builtins, tt.env, [][]string{{"bash", "/mnt/mysqlctl/main.sh"}})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if need := sortedKeys(got.need); !slices.Equal(need, tt.need) {
				t.Errorf("need %v, want %v", need, tt.need)
			}
			var choices []string
			for _, alts := range got.choices {
				choices = append(choices, choiceString(alts))
			}
			if !slices.Equal(choices, tt.choices) {
				t.Errorf("choices %v, want %v", choices, tt.choices)
			}
		})
	}
}

// A script that starts calling a program no image lists fails the contract
// of every container that runs it, with the line that calls it; a new call
// to a program the images list already passes with no edit anywhere.
func TestImageContractsCatchANewProgram(t *testing.T) {
	builtins, err := bashBuiltins()
	if err != nil {
		t.Skip(err)
	}
	contracts := loadContracts(t)
	anchor := `source "$(dirname "${BASH_SOURCE[0]}")/statements.sh"` + "\n"
	for _, tt := range []struct {
		call, wantMissing string
	}{
		{`logger -t mysqlctl "sourced lib.sh"` + "\n", "logger"},
		{`mkdir -p "$RUN_DIR"` + "\n", ""},
	} {
		for _, flavor := range manifest.Flavors() {
			containers, scripts := flavourPod(t, flavor)
			if !strings.Contains(scripts["lib.sh"], anchor) {
				t.Fatalf("lib.sh no longer sources statements.sh as %q: update this test", anchor)
			}
			scripts["lib.sh"] = strings.Replace(scripts["lib.sh"], anchor, anchor+tt.call, 1)
			for _, pc := range containers {
				if !pc.script {
					continue
				}
				got, err := scriptCalls(scripts, builtins, pc.env, pc.entries)
				if err != nil {
					t.Fatal(err)
				}
				problems := strings.Join(contracts[pc.image].missing(got), "\n")
				if tt.wantMissing == "" && problems != "" {
					t.Errorf("%s/%s after adding %q: %s", flavor, pc.name, tt.call, problems)
				}
				if tt.wantMissing != "" && (!strings.Contains(problems, "lib.sh:") || !strings.Contains(problems, tt.wantMissing)) {
					t.Errorf("%s/%s after adding %q: problems %q, want lib.sh's call to %s", flavor, pc.name, tt.call, problems, tt.wantMissing)
				}
			}
		}
	}
}
