package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// ExecOptions are the streams of a command run in a container; nil streams
// are not attached. With TTY, stdout carries stderr too (a terminal has one
// output) and Sizes, when set, passes the user's window size on.
type ExecOptions struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	TTY            bool
	Sizes          remotecommand.TerminalSizeQueue
}

// ExitError is a command that ran in a container and exited non-zero.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("command exited with code %d", e.Code) }

// Exec runs command in container of pod (in c.Namespace) through the API
// server, as kubectl exec does: WebSocket, falling back to SPDY for older
// servers. A command that exits non-zero is an *ExitError with its code.
func (c *Client) Exec(ctx context.Context, pod, container string, command []string, o ExecOptions) error {
	if c.config == nil {
		return errors.New("exec: the client has no REST config (made by NewClientFromInterface)")
	}
	req := c.clientset.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(c.namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container, Command: command,
			Stdin: o.Stdin != nil, Stdout: o.Stdout != nil, Stderr: o.Stderr != nil && !o.TTY, TTY: o.TTY,
		}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(c.config, http.MethodGet, req.URL().String())
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", c.namespace, pod, err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(c.config, http.MethodPost, req.URL())
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", c.namespace, pod, err)
	}
	exec, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", c.namespace, pod, err)
	}
	stderr := o.Stderr
	if o.TTY {
		stderr = nil
	}
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{
		Stdin: o.Stdin, Stdout: o.Stdout, Stderr: stderr, Tty: o.TTY, TerminalSizeQueue: o.Sizes,
	})
	var exit utilexec.ExitError
	if errors.As(err, &exit) {
		return &ExitError{Code: exit.ExitStatus()}
	}
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", c.namespace, pod, err)
	}
	return nil
}
