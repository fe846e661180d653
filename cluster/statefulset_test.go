package cluster

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// Every command that acts on a running cluster says the same thing when
// there is none: ErrClusterNotFound, whose sentence names the next steps
// once.
func TestCommandsWithoutACluster(t *testing.T) {
	ctx := context.Background()
	c := newTestCluster(t, nil, nil)
	commands := map[string]func() error{
		"backup":      func() error { _, err := c.Backup(ctx, BackupOptions{Out: io.Discard}); return err },
		"credentials": func() error { _, err := c.Credentials(ctx, false); return err },
		"reclone":     func() error { return c.Reclone(ctx, "mysql-1") },
		"scale":       func() error { return c.Scale(ctx, ScaleOptions{Replicas: 2}) },
		"sql":         func() error { return c.SQL(ctx, SQLOptions{}) },
		"switchover":  func() error { _, err := c.Switchover(ctx, SwitchoverOptions{}); return err },
	}
	for name, run := range commands {
		err := run()
		if !errors.Is(err, ErrClusterNotFound) {
			t.Errorf("%s: %v, want ErrClusterNotFound", name, err)
			continue
		}
		if n := strings.Count(err.Error(), "create it with"); n != 1 {
			t.Errorf("%s: %q says how to create the cluster %d times, want once", name, err, n)
		}
	}
}
