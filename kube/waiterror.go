package kube

import (
	"fmt"
	"strings"
)

// WaitError is a wait that ran out of time, with what was still missing.
// errors.Is(err, context.DeadlineExceeded) matches it.
type WaitError struct {
	Kind, Namespace, Name string
	// Missing is the first unmet condition: "1/3 pods ready".
	Missing string
	// Pods has one block per pod that is not ready: a summary line, then
	// container states and the pod's last events (see DescribePod).
	Pods [][]string
	// Err is the context's error.
	Err error
}

// Unwrap returns the context's error.
func (e *WaitError) Unwrap() error { return e.Err }

// Error is one sentence, then each pod's block indented beneath it.
func (e *WaitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timed out waiting for %s/%s in namespace %s: %s", e.Kind, e.Name, e.Namespace, e.Missing)
	for _, lines := range e.Pods {
		for i, l := range lines {
			indent := "  "
			if i > 0 {
				indent = "    "
			}
			b.WriteString("\n" + indent + l)
		}
	}
	return b.String()
}
