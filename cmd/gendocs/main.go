// Command gendocs writes mysqlctl's shell completion scripts and man pages,
// generated from the command tree itself: `make docs` runs it as
// `go run ./cmd/gendocs docs/generated`.
//
// It is a program of its own rather than a hidden mysqlctl subcommand so
// that the man page renderer (cobra/doc and go-md2man) never ships in the
// mysqlctl binary; the pages still cannot drift from the binary's help,
// since both come from cmd.NewRootCommand.
package main

import (
	"fmt"
	"os"

	"github.com/mysqlctl/mysqlctl/cmd"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "Error: gendocs needs one argument, the output directory: e.g. go run ./cmd/gendocs docs/generated")
		os.Exit(2)
	}
	if err := generate(os.Args[1], cmd.Version()); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}
