package configs_test

import (
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// How the derivation (scriptcalls_test.go) decides tests and expands words
// as far as their values are known.

func (w *walker) ifClause(f *frame, c *calls, x *syntax.IfClause) {
	if len(x.Cond) == 0 { // a plain else
		w.stmts(f, c, x.Then)
		return
	}
	if w.isCommandProbe(f, x.Cond) {
		then, other := newCalls(), newCalls()
		w.stmts(f, then, x.Then)
		if x.Else != nil {
			w.ifClause(f, other, x.Else)
		}
		c.addChoice(then, other)
		return
	}
	w.stmts(f, c, x.Cond)
	switch w.decide(f, x.Cond) {
	case "true":
		w.stmts(f, c, x.Then)
	case "false":
		if x.Else != nil {
			w.ifClause(f, c, x.Else)
		}
	default:
		w.stmts(f, c, x.Then)
		if x.Else != nil {
			w.ifClause(f, c, x.Else)
		}
	}
}

// isCommandProbe: the condition is `command -v PROGRAM` (redirections aside).
func (w *walker) isCommandProbe(f *frame, cond []*syntax.Stmt) bool {
	if len(cond) != 1 {
		return false
	}
	call, ok := cond[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) != 3 || cond[0].Negated {
		return false
	}
	return w.word(f, call.Args[0]) == "command" && w.word(f, call.Args[1]) == "-v"
}

// decide evaluates a `[[ ... ]]` condition whose words are known: "true",
// "false", or "" when it cannot tell.
func (w *walker) decide(f *frame, cond []*syntax.Stmt) string {
	if len(cond) != 1 || cond[0].Negated {
		return ""
	}
	test, ok := cond[0].Cmd.(*syntax.TestClause)
	if !ok {
		return ""
	}
	result := func(b bool) string {
		if b {
			return "true"
		}
		return "false"
	}
	switch t := test.X.(type) {
	case *syntax.UnaryTest:
		word, ok := t.X.(*syntax.Word)
		if !ok {
			return ""
		}
		v := w.word(f, word)
		if !known(v) {
			return ""
		}
		switch t.Op {
		case syntax.TsNempStr:
			return result(v != "")
		case syntax.TsEmpStr:
			return result(v == "")
		}
	case *syntax.BinaryTest:
		x, okX := t.X.(*syntax.Word)
		y, okY := t.Y.(*syntax.Word)
		if !okX || !okY {
			return ""
		}
		a, b := w.word(f, x), w.word(f, y)
		if !known(a) || !known(b) {
			return ""
		}
		match, err := path.Match(b, a)
		if err != nil {
			return ""
		}
		switch t.Op {
		case syntax.TsMatch, syntax.TsMatchShort:
			return result(match)
		case syntax.TsNoMatch:
			return result(!match)
		}
	}
	return ""
}

// caseClause takes the branch that matches when the word and every pattern
// are known and no branch falls through (;& or ;;&), else every branch.
func (w *walker) caseClause(f *frame, c *calls, x *syntax.CaseClause) {
	w.subst(f, c, x.Word)
	if v := w.word(f, x.Word); known(v) && w.casePatternsKnown(f, x) {
		for _, item := range x.Items {
			for _, p := range item.Patterns {
				if ok, err := path.Match(w.word(f, p), v); err == nil && ok {
					w.stmts(f, c, item.Stmts)
					return
				}
			}
		}
		return
	}
	for _, item := range x.Items {
		w.stmts(f, c, item.Stmts)
	}
}

func (w *walker) casePatternsKnown(f *frame, x *syntax.CaseClause) bool {
	for _, item := range x.Items {
		if item.Op != 0 && item.Op != syntax.Break {
			return false
		}
		for _, p := range item.Patterns {
			if !known(w.word(f, p)) {
				return false
			}
		}
	}
	return true
}

// word expands a word as far as it is known; unknown parts become unknown.
func (w *walker) word(f *frame, word *syntax.Word) string {
	var b strings.Builder
	for _, p := range word.Parts {
		b.WriteString(w.part(f, p))
	}
	return b.String()
}

func (w *walker) part(f *frame, p syntax.WordPart) string {
	switch p := p.(type) {
	case *syntax.Lit:
		return p.Value
	case *syntax.SglQuoted:
		return p.Value
	case *syntax.DblQuoted:
		var b strings.Builder
		for _, q := range p.Parts {
			b.WriteString(w.part(f, q))
		}
		return b.String()
	case *syntax.ParamExp:
		return w.param(f, p)
	}
	return unknown
}

func (w *walker) param(f *frame, p *syntax.ParamExp) string {
	if p.Param == nil || p.Excl || p.Length || p.Slice != nil || p.Repl != nil {
		return unknown
	}
	name := p.Param.Value
	if name == "BASH_SOURCE" { // ${BASH_SOURCE[0]}: the script this line is in
		return "/" + f.file
	}
	if p.Index != nil {
		return unknown
	}
	v, ok := w.lookup(f, name)
	if p.Exp == nil {
		if ok {
			return v
		}
		return unknown
	}
	switch p.Exp.Op {
	case syntax.DefaultUnsetOrNull, syntax.AssignUnsetOrNull:
		if !ok {
			return unknown
		}
		if v == "" && p.Exp.Word != nil {
			return w.word(f, p.Exp.Word)
		}
		return v
	}
	return unknown
}

// lookup returns a variable's value, or a positional parameter's where the
// frame knows them ("" for one past the last).
func (w *walker) lookup(f *frame, name string) (string, bool) {
	if name[0] >= '0' && name[0] <= '9' {
		if f.args == nil || name == "0" {
			return "", false
		}
		var i int
		fmt.Sscan(name, &i)
		if i > len(f.args) {
			return "", true
		}
		return f.args[i-1], true
	}
	v, ok := w.vars[name]
	return v, ok
}
