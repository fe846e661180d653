package kube

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is. The errors returned carry a full
// sentence naming the object and the next step; the sentinel only classifies.
var (
	// ErrNoKubeconfig: no kubeconfig was found, or it cannot be used
	// (unreadable, invalid, or the requested context does not exist).
	ErrNoKubeconfig = errors.New("no usable kubeconfig")
	// ErrUnreachable: the API server did not answer (refused, DNS, timeout, TLS).
	ErrUnreachable = errors.New("cannot reach the Kubernetes API server")
	// ErrNotManaged: an object with the requested name exists but lacks
	// app.kubernetes.io/managed-by=mysqlctl.
	ErrNotManaged = errors.New("not managed by mysqlctl")
	// ErrNamespaceNotFound: the namespace is missing and creating it was not asked for.
	ErrNamespaceNotFound = errors.New("namespace not found")
	// ErrPodFailed: a pod is in a state that will not fix itself (image cannot
	// be pulled, container crash-looping, pod unschedulable). See PodError.
	ErrPodFailed = errors.New("pod failed")
)

// sentenceError carries a complete human sentence while still matching a
// sentinel (and the underlying cause, if any) with errors.Is and errors.As.
type sentenceError struct {
	msg      string
	sentinel error
	cause    error
}

// newError builds a sentenceError; cause may be nil.
func newError(sentinel, cause error, format string, args ...any) error {
	return &sentenceError{msg: fmt.Sprintf(format, args...), sentinel: sentinel, cause: cause}
}

func (e *sentenceError) Error() string { return e.msg }

func (e *sentenceError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.sentinel}
	}
	return []error{e.sentinel, e.cause}
}
