package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/mysqlctl/mysqlctl/kube"
)

// humanize turns an error chain into what a user reads after "Error: ".
// Errors built in this project already read as a sentence with the next
// step; API and network errors from client-go are translated by kube.
func humanize(err error) string {
	if errors.Is(err, context.Canceled) {
		// Every change is applied declaratively, so an interrupted command
		// leaves nothing half-done that a re-run would not finish.
		return "interrupted: run the same command again to continue"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		var waitErr *kube.WaitError
		if !errors.As(err, &waitErr) {
			return fmt.Sprintf("%s (timed out: raise --timeout, or look at the pods' events)", kube.Describe(err))
		}
	}
	return kube.Describe(err)
}
