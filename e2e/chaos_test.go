package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestChaos draws faults at random, from a seed it prints, on a cluster of
// three under a writer that inserts numbered rows through the write
// Service, while a watcher samples every server's read_only several times a
// second. After each fault it waits for check to pass, doing only what a
// person would be told to by check (finish an interrupted switchover,
// adopt the writable server when the record is gone). At the end: no two
// servers were ever writable at once, every acknowledged row is on every
// server, check --checksum passes. A failure prints the seed and the
// history, and MYSQLCTL_CHAOS_SEED replays it.
//
// make test runs one seed of MYSQLCTL_CHAOS_STEPS (default 4) faults; make
// chaos runs MYSQLCTL_CHAOS_SEEDS seeds (20) of 8.
func TestChaos(t *testing.T) {
	seeds := envInt("MYSQLCTL_CHAOS_SEEDS", 1)
	steps := envInt("MYSQLCTL_CHAOS_STEPS", 4)
	first := uint64(time.Now().UnixNano() % 1_000_000)
	if s := os.Getenv("MYSQLCTL_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("MYSQLCTL_CHAOS_SEED=%q: %v", s, err)
		}
		first = n
	}
	for i := 0; i < seeds; i++ {
		seed := first + uint64(i)
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) { runChaos(t, seed, steps) })
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// chaos is one seeded run: its cluster, its random source and its history.
type chaos struct {
	c       *testCluster
	ctx     context.Context
	ns      string
	kc      *kube.Client
	rng     *rand.Rand
	history []string
	t       *testing.T
}

func (ch *chaos) logf(format string, args ...any) {
	line := fmt.Sprintf("%s %s", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	ch.history = append(ch.history, line)
	ch.t.Log(line)
}

func runChaos(t *testing.T, seed uint64, steps int) {
	t.Logf("chaos seed %d, %d faults (replay: MYSQLCTL_CHAOS_SEED=%d MYSQLCTL_CHAOS_STEPS=%d make chaos MYSQLCTL_CHAOS_SEEDS=1)", seed, steps, seed, steps)
	c, ctx, ns := mariadbScenario(t, "chaos", 3, time.Duration(steps+3)*4*time.Minute)
	root := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	c.execAs(t, ctx, ns, "mysql-0", c.adminPassword(t, ctx, ns), "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)")
	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	ch := &chaos{c: c, ctx: ctx, ns: ns, kc: kc, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: t}
	defer func() {
		if t.Failed() {
			t.Logf("chaos seed %d failed; history:\n%s", seed, strings.Join(ch.history, "\n"))
		}
	}()
	pods := []string{"mysql-0", "mysql-1", "mysql-2"}
	watch := c.watchWritable(ctx, ns, c.adminPassword(t, ctx, ns), pods...)
	writer := c.startServiceWriter(ctx, ns, root)
	faults := []struct {
		name string
		do   func()
	}{
		{"kill a server", func() {
			p := ch.pick(pods)
			ch.logf("SHUTDOWN of %s's server", p)
			c.shutdownServer(t, ctx, ns, p, root)
		}},
		{"delete a pod", ch.deletePod},
		{"restart a sidecar", func() { ch.restartSidecar(ch.pick(pods)) }},
		{"fail a probe for a while", ch.failProbe},
		{"switchover", func() { ch.role("switchover", "--to", ch.pick(ch.replicas())) }},
		{"promote beside a live primary that is not ready", ch.promoteBesideLive},
		{"promote after deleting the primary's pod", ch.promoteLost},
		{"interrupted switchover", ch.interruptedSwitchover},
		{"delete the record", ch.deleteRecord},
		{"concurrent role commands", ch.concurrentRoles},
	}
	for step := 1; step <= steps; step++ {
		f := faults[ch.rng.IntN(len(faults))]
		ch.logf("fault %d/%d: %s", step, steps, f.name)
		f.do()
		ch.settle()
	}
	acked := writer.finish()
	looks, overlaps := watch.finish()
	ch.logf("%d rows acknowledged (%d failed tries), %d looks at read_only", len(acked), writer.failures, looks)
	for _, o := range overlaps {
		t.Errorf("two writable servers: %s", o)
	}
	c.checkPassesWithin(t, ns, 3*time.Minute, "--checksum")
	c.assertAckedEverywhere(t, ctx, ns, root, acked, pods...)
}

func (ch *chaos) pick(from []string) string { return from[ch.rng.IntN(len(from))] }

// replicas are the pods the record does not name (all three without one).
func (ch *chaos) replicas() []string {
	primary := ch.c.recordedPrimary(ch.t, ch.ns)
	var out []string
	for _, p := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		if p != primary {
			out = append(out, p)
		}
	}
	return out
}

func (ch *chaos) deletePod() {
	p := ch.pick([]string{"mysql-0", "mysql-1", "mysql-2"})
	ch.logf("delete pod %s", p)
	if err := ch.c.client.CoreV1().Pods(ch.ns).Delete(ch.ctx, p, metav1.DeleteOptions{}); err != nil {
		ch.logf("delete pod %s: %v", p, err)
	}
}

func (ch *chaos) restartSidecar(pod string) {
	ch.logf("restart the sidecar of %s", pod)
	var stderr bytes.Buffer
	if err := ch.kc.Exec(ch.ctx, pod, manifest.ContainerSidecar, []string{"bash", "-c", "kill 1"}, kube.ExecOptions{Stderr: &stderr}); err != nil {
		ch.logf("restart the sidecar of %s: %v %s", pod, err, stderr.String())
	}
}

// failProbe makes a server's readiness probe fail for a few seconds, then
// restarts its sidecar, which marks it again once its setup is done.
func (ch *chaos) failProbe() {
	p := ch.pick([]string{"mysql-0", "mysql-1", "mysql-2"})
	ch.failReadiness(p)
	sleepCtx(ch.ctx, time.Duration(5+ch.rng.IntN(10))*time.Second)
	ch.restartSidecar(p)
}

// failReadiness removes the sidecar's mark that readiness waits for, as
// while a sidecar sets up: the pod leaves the Services, its server runs on.
func (ch *chaos) failReadiness(pod string) {
	ch.logf("readiness of %s fails", pod)
	var stderr bytes.Buffer
	if err := ch.kc.Exec(ch.ctx, pod, manifest.ContainerServer, []string{"rm", "-f", "/run/mysqlctl/sidecar-ready"}, kube.ExecOptions{Stderr: &stderr}); err != nil {
		ch.logf("fail the probe of %s: %v %s", pod, err, stderr.String())
	}
}

// role runs a role command; a refusal is an outcome, not a failure.
func (ch *chaos) role(args ...string) {
	res := ch.c.mysqlctl(ch.t, 3*time.Minute, nil, append(args, "-n", ch.ns)...)
	ch.logf("mysqlctl %s: exit %d %s", strings.Join(args, " "), res.code, oneLine(res.stderr))
}

// promoteBesideLive makes the primary's pod leave the Services (its
// readiness fails, its server goes on taking writes), then promotes a
// replica with --force, which must fence it first; the old primary's
// sidecar is then restarted, as a person would restart a stuck pod.
func (ch *chaos) promoteBesideLive() {
	primary := ch.c.recordedPrimary(ch.t, ch.ns)
	if primary == "" {
		ch.logf("no recorded primary: nothing to promote beside")
		return
	}
	ch.failReadiness(primary)
	sleepCtx(ch.ctx, 8*time.Second) // two failed probes, three seconds apart
	ch.role("promote", ch.pick(ch.replicas()), "--force")
	ch.restartSidecar(primary)
}

func (ch *chaos) promoteLost() {
	primary := ch.c.recordedPrimary(ch.t, ch.ns)
	if primary == "" {
		ch.logf("no recorded primary: nothing to lose")
		return
	}
	ch.logf("delete the primary's pod %s", primary)
	if err := ch.c.client.CoreV1().Pods(ch.ns).Delete(ch.ctx, primary, metav1.DeleteOptions{}); err != nil {
		ch.logf("delete pod %s: %v", primary, err)
	}
	ch.role("promote", ch.pick(ch.replicas()))
}

// interruptedSwitchover kills a switchover at a random moment; its intent
// (if written) is in force for its --timeout.
func (ch *chaos) interruptedSwitchover() {
	to := ch.pick(ch.replicas())
	cmd := exec.CommandContext(ch.ctx, binary(ch.t), "switchover", "-n", ch.ns, "--to", to, "--timeout", "20s")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+ch.c.kubeconfig)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		ch.t.Fatal(err)
	}
	after := time.Duration(ch.rng.IntN(1500)) * time.Millisecond
	time.Sleep(after)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	ch.logf("switchover --to %s killed after %s: %s", to, after, oneLine(out.String()))
}

func (ch *chaos) deleteRecord() {
	ch.logf("delete the record")
	if err := ch.c.client.CoreV1().ConfigMaps(ch.ns).Delete(ch.ctx, "mysql-state", metav1.DeleteOptions{}); err != nil {
		ch.logf("delete the record: %v", err)
	}
}

func (ch *chaos) concurrentRoles() {
	replicas := ch.replicas()
	var wg sync.WaitGroup
	for _, to := range replicas {
		wg.Add(1)
		go func() { defer wg.Done(); ch.role("switchover", "--to", to) }()
	}
	wg.Wait()
}

// settle waits until check passes twice in a row, a few seconds apart,
// doing what check says a person should: finish or undo an interrupted
// switchover, adopt the writable server when the record names none. It
// first gives the fault a few seconds to show (a pod deleted a moment ago
// still answers).
func (ch *chaos) settle() {
	deadline := time.Now().Add(4 * time.Minute)
	passes := 0
	sleepCtx(ch.ctx, 3*time.Second)
	for {
		res := ch.c.mysqlctl(ch.t, time.Minute, nil, "check", "-n", ch.ns)
		if res.code == 0 {
			if passes++; passes == 2 {
				ch.logf("check passes")
				return
			}
			sleepCtx(ch.ctx, 2*time.Second)
			continue
		}
		passes = 0
		if time.Now().After(deadline) {
			ch.t.Fatalf("check did not pass within 4 minutes:\n%s", res)
		}
		switch {
		case strings.Contains(res.stdout, "was interrupted: run mysqlctl switchover"):
			ch.role("switchover")
		case strings.Contains(res.stdout, "--adopt"):
			if w := writableIn(res.stdout); w != "" {
				ch.role("promote", w, "--adopt")
			}
		}
		sleepCtx(ch.ctx, 3*time.Second)
	}
}

// writableIn finds "record POD with mysqlctl promote POD --adopt" in check's output.
func writableIn(out string) string {
	_, after, ok := strings.Cut(out, "mysqlctl promote ")
	if !ok {
		return ""
	}
	pod, _, _ := strings.Cut(after, " ")
	if pod == "POD" {
		return ""
	}
	return pod
}

func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
