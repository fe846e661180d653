package cmd

import (
	"errors"
	"fmt"
	"io"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// Exit codes: scripts rely on them, so they never change.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitUnhealthy = 3
)

// exitCodeError carries the exit code a failure should end the process with.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// usageError marks bad input: exit code 2.
func usageError(err error) error { return &exitCodeError{code: exitUsage, err: err} }

// reportError prints err as the one line a user sees and returns the exit code.
func reportError(w io.Writer, err error) int {
	code := exitError
	var coded *exitCodeError
	var invalid *manifest.InvalidSpecError
	var client *kube.ExitError
	switch {
	case errors.As(err, &client):
		// The database client said why on its own stderr: pass its code on.
		return client.Code
	case errors.As(err, &coded):
		code = coded.code
	case errors.As(err, &invalid):
		code = exitUsage
	}
	if code != exitUnhealthy {
		fmt.Fprintf(w, "Error: %s\n", humanize(err))
	}
	return code
}
