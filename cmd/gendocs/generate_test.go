package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// visiblePages are the man pages a user expects: one for every command
// help lists, at any depth, named as man looks them up (mysqlctl-status).
func visiblePages(c *cobra.Command) []string {
	pages := []string{strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"}
	for _, sub := range c.Commands() {
		if !sub.Hidden && sub.Name() != "help" {
			pages = append(pages, visiblePages(sub)...)
		}
	}
	return pages
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGenerateManPages(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000") // November 2023
	dir := t.TempDir()
	stale := filepath.Join(dir, manDir, "mysqlctl-removed.1")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := generate(dir, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	want := visiblePages(newTree())
	for _, p := range []string{"mysqlctl.1", "mysqlctl-status.1", "mysqlctl-switchover.1", "mysqlctl-completion-bash.1"} {
		if !slices.Contains(want, p) {
			t.Fatalf("the command tree has no %s: %v", p, want)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, manDir))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("man pages:\n%v\nwant one per visible command:\n%v", got, want)
	}
	status := readFile(t, filepath.Join(dir, manDir, "mysqlctl-status.1"))
	for _, s := range []string{`.TH "MYSQLCTL-STATUS" "1" "Nov 2023" "mysqlctl v1.2.3"`, "mysqlctl status --watch", "with <unknown> fields", "pods <name>-0"} {
		if !strings.Contains(status, s) {
			t.Errorf("mysqlctl-status.1 lacks %q:\n%s", s, status)
		}
	}
	if strings.Contains(status, "spf13/cobra") {
		t.Error("mysqlctl-status.1 carries cobra's dated footer: the pages of one commit would differ by day")
	}
}

func TestGenerateCompletions(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir, "dev"); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]string{
		"mysqlctl.bash":  {"__start_mysqlctl()", "complete -o default -F __start_mysqlctl mysqlctl"},
		"_mysqlctl":      {"#compdef mysqlctl"},
		"mysqlctl.fish":  {"complete -c mysqlctl"},
		"mysqlctl.ps1":   {"Register-ArgumentCompleter", "mysqlctl"},
		kubectlCompleter: {"#!/bin/sh", `exec kubectl-mysqlctl __complete "$@"`},
	} {
		script := readFile(t, filepath.Join(dir, completionDir, file))
		for _, w := range want {
			if !strings.Contains(script, w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
	info, err := os.Stat(filepath.Join(dir, completionDir, kubectlCompleter))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&0o111 == 0 {
		t.Errorf("%s is %v: kubectl runs it only when it is executable", kubectlCompleter, info.Mode())
	}
}
