package cmd

import (
	"context"
	"fmt"
	"testing"
)

func TestHumanizeInterrupted(t *testing.T) {
	err := fmt.Errorf("up mysql: interrupted while waiting for the servers: %w", context.Canceled)
	if got, want := humanize(err), "interrupted: run the same command again to continue"; got != want {
		t.Errorf("humanize(Ctrl-C) = %q, want %q", got, want)
	}
}
