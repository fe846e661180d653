package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// waitPodsReady waits until want pods matching selector are Ready.
func (c *testCluster) waitPodsReady(t *testing.T, ctx context.Context, ns, selector string, want int) {
	t.Helper()
	var last string
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		pods, err := c.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		ready := 0
		var states []string
		for _, p := range pods.Items {
			if podReady(&p) {
				ready++
			}
			states = append(states, fmt.Sprintf("%s=%s", p.Name, p.Status.Phase))
		}
		last = strings.Join(states, " ")
		return ready == want && len(pods.Items) == want, nil
	})
	if err != nil {
		t.Fatalf("pods %q in %s not ready: %s", selector, ns, last)
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// runClientPod runs script in a one-off pod of the client image (the
// flavour's, whose client is mariadb or mysql) with $PW set, and returns its output; the test fails if the
// script fails.
func (c *testCluster) runClientPod(t *testing.T, ctx context.Context, ns, script, password string) string {
	t.Helper()
	out, ok := c.tryClientPod(t, ctx, ns, script, password)
	if !ok {
		t.Fatalf("client pod script failed; output:\n%s", out)
	}
	return out
}

// tryClientPod is runClientPod for scripts that are expected to fail: it
// returns the output and whether the script succeeded.
func (c *testCluster) tryClientPod(t *testing.T, ctx context.Context, ns, script, password string) (string, bool) {
	t.Helper()
	return c.waitClientPod(t, ctx, ns, c.startClientPod(t, ctx, ns, script, password))
}

// startClientPod starts script in a client pod and returns the pod's name,
// for a client that runs while the test does something else.
func (c *testCluster) startClientPod(t *testing.T, ctx context.Context, ns, script, password string) string {
	t.Helper()
	pod, err := c.client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "client-"},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers: []corev1.Container{{
				Name: "client", Image: c.clientImage, ImagePullPolicy: corev1.PullIfNotPresent,
				// The mysql client warns on stderr about -p on its command line
				// at every call; that line would be read as output. A pipeline,
				// not a process substitution: bash waits for the filter, so no
				// line of stderr is lost when the container's first process ends.
				Command: []string{"bash", "-c", "set -o pipefail\n{ (\n" + script +
					"\n) 2>&1 >&3 3>&- | { grep -v 'Using a password on the command line' || true; } >&2; } 3>&1"},
				Env: []corev1.EnvVar{{Name: "PW", Value: password}},
				// Restricted, so it also runs where the namespace enforces that.
				SecurityContext: &corev1.SecurityContext{
					RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](999),
					AllowPrivilegeEscalation: ptr.To(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create client pod: %v", err)
	}
	return pod.Name
}

// waitClientPod waits for a client pod to end and returns its output and
// whether its script succeeded.
func (c *testCluster) waitClientPod(t *testing.T, ctx context.Context, ns, name string) (string, bool) {
	t.Helper()
	var phase corev1.PodPhase
	err := wait.PollUntilContextCancel(ctx, 300*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		phase = p.Status.Phase
		return phase == corev1.PodSucceeded || phase == corev1.PodFailed, nil
	})
	logs, _ := c.client.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("client pod %s did not finish (phase %s): %v; output:\n%s", name, phase, err, logs)
	}
	_ = c.client.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	return string(logs), phase == corev1.PodSucceeded
}
