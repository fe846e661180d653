package configs_test

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// How the derivation (scriptcalls_test.go) follows statements and commands.

func (w *walker) stmts(f *frame, c *calls, list []*syntax.Stmt) {
	for _, s := range list {
		w.stmt(f, c, s)
	}
}

func (w *walker) stmt(f *frame, c *calls, s *syntax.Stmt) {
	for _, r := range s.Redirs {
		if r.Word != nil {
			w.subst(f, c, r.Word)
		}
		if r.Hdoc != nil {
			w.subst(f, c, r.Hdoc)
		}
	}
	switch x := s.Cmd.(type) {
	case nil:
	case *syntax.CallExpr:
		w.callExpr(f, c, x)
	case *syntax.IfClause:
		w.ifClause(f, c, x)
	case *syntax.WhileClause:
		w.stmts(f, c, x.Cond)
		w.stmts(f, c, x.Do)
	case *syntax.ForClause:
		if x.Loop != nil {
			w.subst(f, c, x.Loop)
		}
		w.stmts(f, c, x.Do)
	case *syntax.CaseClause:
		w.caseClause(f, c, x)
	case *syntax.Block:
		w.stmts(f, c, x.Stmts)
	case *syntax.Subshell:
		w.stmts(f, c, x.Stmts)
	case *syntax.BinaryCmd:
		w.stmt(f, c, x.X)
		w.stmt(f, c, x.Y)
	case *syntax.FuncDecl:
		w.funcs[x.Name.Value] = x
		w.funcFile[x.Name.Value] = f.file
	case *syntax.ArithmCmd, *syntax.TestClause, *syntax.LetClause:
		w.subst(f, c, x)
	case *syntax.DeclClause:
		for _, a := range x.Args {
			w.subst(f, c, a)
			w.assign(f, a)
		}
	case *syntax.TimeClause:
		if x.Stmt != nil {
			w.stmt(f, c, x.Stmt)
		}
	default:
		w.errorf(f, s.Pos().Line(), "%T is a construct the derivation does not follow: extend scriptcalls_walk_test.go", x)
	}
}

// subst follows the command and process substitutions inside node.
func (w *walker) subst(f *frame, c *calls, node syntax.Node) {
	syntax.Walk(node, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CmdSubst:
			w.stmts(f, c, n.Stmts)
			return false
		case *syntax.ProcSubst:
			w.stmts(f, c, n.Stmts)
			return false
		}
		return true
	})
}

func (w *walker) callExpr(f *frame, c *calls, x *syntax.CallExpr) {
	for _, a := range x.Assigns {
		w.subst(f, c, a)
	}
	for _, a := range x.Args {
		w.subst(f, c, a)
	}
	if len(x.Args) == 0 {
		for _, a := range x.Assigns {
			w.assign(f, a)
		}
		return
	}
	words := make([]string, len(x.Args))
	for i, a := range x.Args {
		words[i] = w.word(f, a)
	}
	w.run(f, c, words, x.Pos().Line())
}

func (w *walker) assign(f *frame, a *syntax.Assign) {
	if a.Name == nil {
		return
	}
	switch {
	case a.Naked || a.Array != nil || a.Index != nil || a.Append:
		delete(w.vars, a.Name.Value) // local x, arrays, x+=: not tracked
	case a.Value == nil:
		w.vars[a.Name.Value] = "" // x=
	default:
		w.vars[a.Name.Value] = w.word(f, a.Value)
	}
}

// run follows one command, its words already expanded.
func (w *walker) run(f *frame, c *calls, words []string, line uint) {
	name := words[0]
	switch {
	case !known(name):
		w.errorf(f, line, "cannot tell which program %q is for this flavour", printable(name))
		return
	case name == "":
		w.errorf(f, line, "runs an empty command name (a variable that is empty for this flavour)")
		return
	case w.funcs[name] != nil:
		w.function(c, name)
		return
	case w.builtins[name]:
		w.builtin(f, c, words, line)
		return
	}
	c.add(name, site{f.file, line})
	if unfollowed[name] || name == "find" && slices.ContainsFunc(words, func(a string) bool { return strings.HasPrefix(a, "-exec") || a == "-ok" }) {
		w.errorf(f, line, "runs a command through %s, which the derivation does not follow: run it directly, or teach run() in scriptcalls_walk_test.go", name)
		return
	}
	w.scriptsRunBy(f, c, words[1:], line)
	switch name {
	case "timeout":
		if rest := timeoutCommand(words[1:]); len(rest) > 0 {
			w.run(f, c, rest, line)
		}
	case "bash":
		if len(words) > 1 && strings.HasPrefix(words[1], "-") {
			w.errorf(f, line, "bash %s: only `bash SCRIPT ARGS` is followed", printable(words[1]))
		} else if len(words) > 1 {
			w.script(f, c, words[1], words[2:], line)
		}
	}
}

// unfollowed run a command given in their arguments in a way run() does not
// read: a script using one fails the derivation instead of hiding a program.
var unfollowed = map[string]bool{"sh": true, "env": true, "xargs": true, "nohup": true, "nice": true,
	"setsid": true, "stdbuf": true, "su": true, "gosu": true, "chroot": true, "flock": true, "watch": true}

// bashRun finds "bash SCRIPT" inside an argument another program executes.
var bashRun = regexp.MustCompile(`(?:^|[\s:])bash\s+(\S+\.sh)\b`)

func (w *walker) scriptsRunBy(f *frame, c *calls, args []string, line uint) {
	for _, a := range args {
		if m := bashRun.FindStringSubmatch(a); m != nil {
			c.add("bash", site{f.file, line})
			w.script(f, c, m[1], nil, line)
		}
	}
}

// script follows the pod script a path names (by its file name).
func (w *walker) script(f *frame, c *calls, p string, args []string, line uint) {
	name := path.Base(p)
	if w.scripts[name] == nil {
		w.errorf(f, line, "runs %q, which is no pod script", printable(p))
		return
	}
	key := "file " + name + " " + strings.Join(args, " ")
	if c.walked[key] {
		return
	}
	c.walked[key] = true
	w.stmts(&frame{file: name, args: args}, c, w.scripts[name].Stmts)
}

func (w *walker) function(c *calls, name string) {
	if c.walked["func "+name] {
		return
	}
	c.walked["func "+name] = true
	w.stmt(&frame{file: w.funcFile[name]}, c, w.funcs[name].Body)
}

func (w *walker) builtin(f *frame, c *calls, words []string, line uint) {
	switch words[0] {
	case "source", ".":
		if len(words) > 1 {
			name := path.Base(words[1])
			if w.scripts[name] == nil {
				w.errorf(f, line, "sources %q, which is no pod script", printable(words[1]))
				return
			}
			if !c.walked["file "+name] {
				c.walked["file "+name] = true
				w.stmts(&frame{file: name, args: f.args}, c, w.scripts[name].Stmts)
			}
		}
	case "exec", "command":
		rest := words[1:]
		if words[0] == "command" && len(rest) > 0 && rest[0] == "-v" {
			return // a probe; `if command -v` is a choice (ifClause)
		}
		if len(rest) > 0 {
			w.run(f, c, rest, line)
		}
	case "trap":
		if len(words) > 1 && w.funcs[words[1]] != nil {
			w.function(c, words[1])
		}
	case "eval":
		w.errorf(f, line, "eval is not followed by the derivation: call the command directly")
	}
}

// timeoutCommand returns the command coreutils' timeout runs from its
// arguments: options, then the duration, then the command.
func timeoutCommand(args []string) []string {
	i := 0
	for i < len(args) {
		a := args[i]
		switch {
		case a == "-k" || a == "-s" || a == "--kill-after" || a == "--signal":
			i += 2
		case strings.HasPrefix(a, "-") && a != "-" && !duration.MatchString(a):
			i++
		default:
			if i+1 < len(args) {
				return args[i+1:]
			}
			return nil
		}
	}
	return nil
}

var duration = regexp.MustCompile(`^[0-9.]+[smhd]?$`)
