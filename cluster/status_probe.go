package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// slot is one member to inspect: a pod, or an ordinal the StatefulSet wants
// and has no pod for (pod is nil).
type slot struct {
	name    string
	ordinal int
	pod     *corev1.Pod
}

// probe is what reading one member gave. Report may be set together with
// err: the server answered some queries and not others.
type probe struct {
	report *sql.InstanceReport
	server Server
	tunnel Tunnel
	cancel context.CancelCauseFunc
	err    error
	// steps records how long each step took, for -v: where a slow read
	// spends its time.
	steps []string
}

// timed records the time since *since under name and restarts the clock.
func (p *probe) timed(name string, since *time.Time) {
	p.steps = append(p.steps, fmt.Sprintf("%s %s", name, time.Since(*since).Round(time.Millisecond)))
	*since = time.Now()
}

// close releases the member's port-forward, then its connection. In the
// other order the client's goodbye (COM_QUIT) is often still being copied
// into the tunnel as it closes, and client-go logs that to stderr as an
// "Unhandled Error"; with the tunnel gone first, it goes nowhere, quietly.
func (p *probe) close() {
	if p.tunnel != nil {
		_ = p.tunnel.Close()
	}
	if p.server != nil {
		_ = p.server.Close() // read-only session: nothing to lose
	}
	if p.cancel != nil {
		p.cancel(nil)
	}
}

// probeAll reads every member at once, each within the pod timeout, so one
// slow or dead pod costs its own timeout and never the others' time.
func (c *Cluster) probeAll(ctx context.Context, slots []slot, creds credentials) []*probe {
	out := make([]*probe, len(slots))
	var wg sync.WaitGroup
	for i, s := range slots {
		switch {
		case s.pod == nil:
			out[i] = &probe{err: fmt.Errorf("pod %s does not exist (the StatefulSet has not re-created it yet)", s.name)}
		case creds.err != nil:
			out[i] = &probe{err: creds.err}
		default:
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = c.probeWithin(ctx, s.name, creds)
			}()
		}
	}
	wg.Wait()
	return out
}

// probeWithin runs probe under the pod timeout. The timeout is a timer that
// cancels rather than a context deadline because a probe that succeeds keeps
// its port-forward (bound to the context) open for later queries, such as
// the checksums of check; it is released by probe.close. A step that ignores
// cancellation is abandoned: it closes what it opened when it returns.
func (c *Cluster) probeWithin(parent context.Context, pod string, creds credentials) *probe {
	timeout := c.podTimeout()
	ctx, cancel := context.WithCancelCause(parent)
	timer := time.AfterFunc(timeout, func() { cancel(fmt.Errorf("no answer within %s", timeout)) })
	var step atomic.Value
	step.Store("port-forward")
	done := make(chan *probe, 1)
	start := time.Now()
	go func() { done <- c.probe(ctx, pod, creds, &step) }()
	select {
	case p := <-done:
		if timer.Stop() {
			p.cancel = cancel
			c.debugf("%s: read in %s (%s)%s", pod, time.Since(start).Round(time.Millisecond), strings.Join(p.steps, ", "), errSuffix(p.err))
			return p
		}
		p.close() // finished as the deadline passed: its tunnel went with ctx
	case <-ctx.Done():
		go func() { (<-done).close() }()
	}
	cause := context.Cause(ctx)
	cancel(nil)
	c.debugf("%s: gave up after %s at %s", pod, time.Since(start).Round(time.Millisecond), step.Load())
	return &probe{err: fmt.Errorf("%s: %w", step.Load(), cause)}
}

// probe opens a port-forward to the pod's server, logs in as the admin
// account and reads its report. Each error names the step and the pod.
func (c *Cluster) probe(ctx context.Context, pod string, creds credentials, step *atomic.Value) *probe {
	p := &probe{}
	since := time.Now()
	t, err := c.forward(ctx, pod, manifest.PortMySQL)
	if err != nil {
		p.err = err
		return p
	}
	p.tunnel = t
	p.timed("port-forward", &since)
	step.Store("login")
	tlsConfig, err := c.clientTLS(creds.ca, pod)
	if err != nil {
		p.err = fmt.Errorf("the CA of secret %s: %w", manifest.TLSSecretName(c.name), err)
		return p
	}
	srv, err := c.open(ctx, sql.Target{
		Name: pod, Addr: t.Addr(), User: creds.user, Password: creds.password,
		Dial: t.DialContext, Timeout: c.podTimeout(), TLS: tlsConfig,
	})
	if err != nil {
		p.err = err
		return p
	}
	p.server = srv
	p.timed("login", &since)
	step.Store("status queries")
	p.report, p.err = srv.Report(ctx)
	p.timed("queries", &since)
	return p
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}
