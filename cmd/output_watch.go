package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"
)

// clearScreen moves the cursor home and clears the screen (ANSI), so each
// refresh of --watch replaces the previous one.
const clearScreen = "\x1b[H\x1b[2J"

// watch calls show every interval until ctx ends (Ctrl-C), which is not an
// error. On a terminal each result replaces the previous one; elsewhere
// results follow each other: tables after a blank line, YAML documents
// after "---", JSON documents one after the other. A failed refresh is
// reported on stderr and the next one is tried.
func watch(ctx context.Context, streams Streams, interval time.Duration, format outputFormat, show func(context.Context, io.Writer) error) error {
	smart := isSmartTerminal(streams.Out)
	for n := 0; ; n++ {
		var buf bytes.Buffer
		err := show(ctx, &buf)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil // interrupted mid-refresh: not an error to report
		case err != nil:
			fmt.Fprintf(streams.ErrOut, "Error: %s\n", humanize(err))
		default:
			writeRefresh(streams.Out, buf.Bytes(), smart, format, n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

func writeRefresh(w io.Writer, data []byte, smart bool, format outputFormat, n int) {
	switch {
	case smart:
		io.WriteString(w, clearScreen)
	case format == outputYAML:
		io.WriteString(w, "---\n")
	case n > 0 && format != outputJSON:
		io.WriteString(w, "\n")
	}
	w.Write(data)
}
