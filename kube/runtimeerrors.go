package kube

import (
	"context"
	"strings"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
)

// portForwardNoise are the prefixes of the errors client-go's port-forwarder
// cannot return and hands to utilruntime.HandleError instead, which logs
// them to stderr through klog ("an error occurred forwarding 5432 -> 3306:
// ..."). The connection they concern fails visibly for its user anyway.
var portForwardNoise = [...]string{
	"an error occurred forwarding ",
	"error copying from local connection to remote stream",
	"error copying from remote stream to local connection",
	"error creating error stream for port ",
	"error creating forwarding stream for port ",
	"error reading from error stream for port ",
	"error accepting connection on port ",
	"error closing listener",
}

// SilencePortForwardErrors stops client-go's port-forward errors from
// reaching stderr; report (may be nil) receives them instead, e.g. for a
// -v debug log. Other unhandled errors still go to client-go's handlers.
//
// client-go offers no per-forwarder hook: these errors go through the
// process-wide utilruntime.ErrorHandlers. So this replaces that variable,
// which is not synchronised: call it once, from main, before any goroutine
// uses client-go. Calling it again wraps the handlers again.
func SilencePortForwardErrors(report func(error)) {
	next := utilruntime.ErrorHandlers
	filter := func(ctx context.Context, err error, msg string, kv ...any) {
		if isPortForwardNoise(err) {
			if report != nil {
				report(err)
			}
			return
		}
		for _, h := range next {
			h(ctx, err, msg, kv...)
		}
	}
	utilruntime.ErrorHandlers = []utilruntime.ErrorHandler{filter}
}

func isPortForwardNoise(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, p := range portForwardNoise {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
