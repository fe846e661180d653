package kube

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// Describe turns an error from this package or from client-go into one human
// sentence with the next step, for the single place cmd/ prints errors.
// Errors it has no better words for are returned as err.Error(), keeping the
// caller's context ("apply statefulset ns/mysql: ...").
func Describe(err error) string {
	if err == nil {
		return ""
	}
	// Our own errors already read as sentences.
	for _, s := range []error{ErrNoKubeconfig, ErrUnreachable, ErrNotManaged, ErrNamespaceNotFound, ErrPodFailed} {
		if errors.Is(err, s) {
			return err.Error()
		}
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	if s, ok := describeTransport(err); ok {
		return s
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		if s, ok := describeStatus(status.Status()); ok {
			return s
		}
	}
	return err.Error()
}

// transportCause reports whether err failed before any HTTP answer (client-go
// wraps those in *url.Error) and returns the cause without the repeated URL.
func transportCause(err error) (error, bool) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return nil, false
	}
	return ue.Err, true
}

// describeTransport words connection-level failures, naming the server URL.
func describeTransport(err error) (string, bool) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return "", false
	}
	host := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		host = u.Scheme + "://" + u.Host
	}
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &unknownCA) || errors.As(err, &badHost) || errors.As(err, &invalid) {
		return fmt.Sprintf("cannot verify the certificate of the Kubernetes API server at %s: %v: check --kubeconfig/--context",
			host, ue.Err), true
	}
	return fmt.Sprintf("cannot reach the Kubernetes API server at %s: %v: is the cluster running? check --kubeconfig/--context",
		host, ue.Err), true
}

// forbiddenRE picks verb, resource and namespace out of the API server's
// RBAC message: `User "u" cannot patch resource "statefulsets" in API group "apps" in the namespace "db"`.
var forbiddenRE = regexp.MustCompile(`User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "[^"]*")?(?: in the namespace "([^"]+)")?`)

// describeStatus words the API statuses a user can act on.
func describeStatus(st metav1.Status) (string, bool) {
	switch st.Reason {
	case metav1.StatusReasonForbidden:
		m := forbiddenRE.FindStringSubmatch(st.Message)
		if m == nil {
			return fmt.Sprintf("the Kubernetes API refused the request: your account lacks permission (%s)", st.Message), true
		}
		where := ""
		if m[4] != "" {
			where = " in namespace " + m[4]
		}
		return fmt.Sprintf("the Kubernetes API refused %s %s%s: your account (%s) lacks permission", m[2], m[3], where, m[1]), true
	case metav1.StatusReasonUnauthorized:
		return "the Kubernetes API server rejected your credentials: log in again or check --kubeconfig/--context", true
	case metav1.StatusReasonServiceUnavailable, metav1.StatusReasonInternalError,
		metav1.StatusReasonTimeout, metav1.StatusReasonServerTimeout, metav1.StatusReasonTooManyRequests:
		return fmt.Sprintf("the Kubernetes API server could not answer (%s): %s: try again", st.Reason, st.Message), true
	}
	return "", false
}
