package cmd

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// byteProgress shows a transfer on stderr: one line rewritten in place on a
// terminal (bytes, rate, elapsed), a plain line every few seconds
// otherwise, nothing with -q. Written here rather than taken from a
// progress-bar library: it is one line of text, and the libraries draw
// bars that assume a known total, which a streamed backup does not have.
type byteProgress struct {
	w        io.Writer
	terminal bool
	start    time.Time
	mu       sync.Mutex
	last     time.Time
	bytes    int64
}

func newByteProgress(g *globalOptions) *byteProgress {
	p := &byteProgress{start: time.Now()}
	if !g.quiet {
		p.w, p.terminal = g.streams.ErrOut, isSmartTerminal(g.streams.ErrOut)
	}
	return p
}

func (p *byteProgress) update(n int64) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes = n
	every := 5 * time.Second
	if p.terminal {
		every = 200 * time.Millisecond
	}
	if time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	p.show()
}

func (p *byteProgress) show() {
	elapsed := time.Since(p.start)
	rate := float64(p.bytes) / max(elapsed.Seconds(), 0.001)
	line := fmt.Sprintf("  %s  %s/s  %s", humanBytes(p.bytes), humanBytes(int64(rate)), elapsed.Round(time.Second))
	if p.terminal {
		fmt.Fprintf(p.w, "\r%-40s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// end shows the final figures and ends the terminal's line.
func (p *byteProgress) end() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes == 0 {
		return // nothing moved: a refusal says why on its own
	}
	p.show()
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}

// humanBytes is n in binary units, one decimal.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
