package kube

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
)

// silenced installs SilencePortForwardErrors behind a recording handler
// and restores client-go's handlers when the test ends.
func silenced(t *testing.T) (reported, passed chan error) {
	saved := utilruntime.ErrorHandlers
	t.Cleanup(func() { utilruntime.ErrorHandlers = saved })
	reported, passed = make(chan error, 10), make(chan error, 10)
	utilruntime.ErrorHandlers = []utilruntime.ErrorHandler{
		func(_ context.Context, err error, _ string, _ ...any) { passed <- err },
	}
	SilencePortForwardErrors(func(err error) { reported <- err })
	return reported, passed
}

func TestSilencePortForwardErrorsFilters(t *testing.T) {
	reported, passed := silenced(t)
	utilruntime.HandleError(errors.New("an error occurred forwarding 5000 -> 3306: connection refused"))
	utilruntime.HandleError(errors.New("error copying from local connection to remote stream: broken pipe"))
	utilruntime.HandleError(errors.New("informer failed to list"))
	if len(reported) != 2 || len(passed) != 1 {
		t.Fatalf("reported %d, passed on %d; want 2 and 1", len(reported), len(passed))
	}
	if err := <-passed; err.Error() != "informer failed to list" {
		t.Errorf("passed on %v", err)
	}
}

// The prefixes must match what client-go really sends: a forwarded
// connection to a port nothing listens on in the pod.
func TestSilencePortForwardErrorsCatchesRealForwardError(t *testing.T) {
	reported, passed := silenced(t)
	api := &fakeAPI{phases: map[string]corev1.PodPhase{"mysql-0": corev1.PodRunning},
		forwardError: "failed to connect to localhost:3306 inside namespace: connection refused"}
	c := newForwardClient(t, api)
	f, err := c.ForwardPort(context.Background(), "", "mysql-0", 3306)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conn, err := net.Dial("tcp", f.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = conn.Read(make([]byte, 1))
	select {
	case err := <-reported:
		if !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("reported %v", err)
		}
	case err := <-passed:
		t.Fatalf("client-go error not recognised as port-forward noise: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no error reported")
	}
	// client-go drops the whole connection after such an error; Done says so.
	select {
	case <-f.Done():
		if f.Err() == nil || !strings.Contains(f.Err().Error(), "db/mysql-0") {
			t.Errorf("Err = %v, want the lost connection naming the pod", f.Err())
		}
	case <-time.After(5 * time.Second):
		t.Error("forward still running after the connection was lost")
	}
}
