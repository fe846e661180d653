package configs_test

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// This file derives, from the pod scripts themselves, which programs a
// container runs: it parses the scripts with a bash parser (mvdan.cc/sh, the
// parser of shfmt) and follows what bash would run from an entry point such
// as `bash /mnt/mysqlctl/clone.sh`, for one flavour:
//   - calls to functions are followed into their bodies; `source` and
//     `bash SCRIPT` into the script; `exec`, `command` and coreutils'
//     `timeout` into the command they run; `trap FUNC` into the handler;
//     a script run by another program (socat's "SYSTEM:bash $script",
//     ncat's --sh-exec "bash $script") into that script;
//   - a command named by a variable ("$CLIENT", "$BACKUP_TOOL") is resolved
//     from the values the scripts assign (lib.sh's flavour table) and the
//     container's environment (FLAVOR); a name it cannot resolve is an error,
//     never a silent gap;
//   - `case` and `[[ ... ]]` tests whose words are known for the flavour take
//     only their branch (mysql 8 never reaches the backup stream); unknown
//     tests take every branch;
//   - `if command -v X; then ...; else ...; fi` is a choice: the image needs
//     what one of the branches runs (socat or ncat);
//   - a program that runs a command from its arguments in a way this does
//     not read (env, xargs, sh -c, bash -c, find -exec, eval) is an error.
// Bash's own builtins (compgen -b) need no program. Nothing here lists the
// programs the scripts call: a new call to any program is found by itself.

// unknown marks the part of a word whose value the derivation cannot know.
const unknown = "\x00"

func known(s string) bool { return !strings.Contains(s, unknown) }

// printable shows a partly unknown word with "…" for what is unknown.
func printable(s string) string { return strings.ReplaceAll(s, unknown, "…") }

// site is where a script runs a program.
type site struct {
	file string
	line uint
}

func (s site) String() string {
	if s.file == "" {
		return "the pod spec"
	}
	return fmt.Sprintf("%s:%d", s.file, s.line)
}

// calls is what a container runs: every program in need, plus choices of
// which the image must satisfy one alternative each.
type calls struct {
	need    map[string]site
	choices [][]*calls
	walked  map[string]bool // functions and files already followed into
}

func newCalls() *calls { return &calls{need: map[string]site{}, walked: map[string]bool{}} }

func (c *calls) add(program string, at site) {
	if _, ok := c.need[program]; !ok {
		c.need[program] = at
	}
}

// addChoice records that one of alts must be satisfied. What every
// alternative runs is needed in any case, so it moves to c.need: the choice
// keeps only what differs (socat | ncat).
func (c *calls) addChoice(alts ...*calls) {
	for program, at := range alts[0].need {
		inAll := true
		for _, alt := range alts[1:] {
			if _, ok := alt.need[program]; !ok {
				inAll = false
			}
		}
		if inAll {
			c.add(program, at)
			for _, alt := range alts {
				delete(alt.need, program)
			}
		}
	}
	for _, alt := range alts {
		c.choices = append(c.choices, alt.choices...)
		alt.choices = nil
	}
	c.choices = append(c.choices, alts)
}

// String is the requirement of one choice: alternatives separated by "|",
// the programs of one alternative by "+", "-" for an alternative that
// needs nothing more.
func choiceString(alts []*calls) string {
	parts := make([]string, len(alts))
	for i, alt := range alts {
		parts[i] = strings.Join(sortedKeys(alt.need), "+")
		if parts[i] == "" {
			parts[i] = "-"
		}
	}
	return strings.Join(parts, "|")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// frame is one level of execution: the script a statement is in and its
// positional parameters (nil inside functions, where they are not known).
type frame struct {
	file string
	args []string
}

// walker follows scripts for one flavour and container.
type walker struct {
	scripts  map[string]*syntax.File
	builtins map[string]bool
	funcs    map[string]*syntax.FuncDecl
	funcFile map[string]string
	vars     map[string]string
	errs     []string
}

// scriptCalls derives what a container runs from each of its entry points
// (its command, or the image's entrypoint arguments, and its probes' exec
// commands). scripts are the pod scripts by file name, env the container's
// literal environment.
func scriptCalls(scripts map[string]string, builtins map[string]bool, env map[string]string, entries [][]string) (*calls, error) {
	w := &walker{scripts: map[string]*syntax.File{}, builtins: builtins,
		funcs: map[string]*syntax.FuncDecl{}, funcFile: map[string]string{}, vars: map[string]string{}}
	for name, text := range scripts {
		f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		w.scripts[name] = f
	}
	for k, v := range env {
		w.vars[k] = v
	}
	c := newCalls()
	for _, words := range entries {
		w.run(&frame{}, c, words, 0)
	}
	if len(w.errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(w.errs, "\n"))
	}
	return c, nil
}

// bashBuiltins asks bash for its builtins and reserved words.
func bashBuiltins() (map[string]bool, error) {
	out, err := exec.Command("bash", "-c", "compgen -b; compgen -k").Output()
	if err != nil {
		return nil, fmt.Errorf("bash -c 'compgen -b': %w", err)
	}
	m := map[string]bool{}
	for _, name := range strings.Fields(string(out)) {
		m[name] = true
	}
	return m, nil
}

func (w *walker) errorf(f *frame, line uint, format string, args ...any) {
	w.errs = append(w.errs, site{f.file, line}.String()+": "+fmt.Sprintf(format, args...))
}
