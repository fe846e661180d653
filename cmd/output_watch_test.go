package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Off a terminal, refreshes follow each other; a failed refresh goes to
// stderr and the watch goes on; Ctrl-C (the context) ends it without error.
func TestWatch(t *testing.T) {
	tests := []struct {
		format outputFormat
		want   string
	}{
		{outputTable, "refresh 1\n\nrefresh 3\n"},
		{outputYAML, "---\nrefresh 1\n---\nrefresh 3\n"},
		{outputJSON, "refresh 1\nrefresh 3\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errOut bytes.Buffer
			n := 0
			show := func(_ context.Context, w io.Writer) error {
				n++
				switch n {
				case 2:
					return errors.New("the API server did not answer")
				case 3:
					cancel() // Ctrl-C after the third refresh is shown
				}
				fmt.Fprintf(w, "refresh %d\n", n)
				return nil
			}
			err := watch(ctx, Streams{Out: &out, ErrOut: &errOut}, time.Millisecond, tt.format, show)
			if err != nil {
				t.Fatalf("watch ended with %v", err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if errOut.String() != "Error: the API server did not answer\n" {
				t.Errorf("stderr %q", errOut.String())
			}
		})
	}
}
