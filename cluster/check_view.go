package cluster

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// view is a status report as the checks see it: which member is the
// primary (the one found, else the recorded one, else the pod at ordinal
// 0) and which members are therefore replicas.
type view struct {
	r        *StatusReport
	primary  string
	replicas []*Member
}

func newView(r *StatusReport) view {
	v := view{r: r, primary: cmp.Or(r.Cluster.Primary, r.Cluster.RecordedPrimary, manifest.PodName(r.Cluster.Name, 0))}
	for i := range r.Members {
		if r.Members[i].Pod != v.primary {
			v.replicas = append(v.replicas, &r.Members[i])
		}
	}
	return v
}

// tally folds what a check found on each pod into one CheckResult.
type tally struct {
	fails, warns []string
	// skipped are the pods whose server could not be read: nothing can be
	// said about them, which is a warning, never a pass.
	skipped []string
}

func (t *tally) fail(format string, args ...any) {
	t.fails = append(t.fails, fmt.Sprintf(format, args...))
}
func (t *tally) warn(format string, args ...any) {
	t.warns = append(t.warns, fmt.Sprintf(format, args...))
}
func (t *tally) skip(pod string) { t.skipped = append(t.skipped, pod) }

// result is Fail when anything failed, Warn when anything warned or a pod
// was skipped, else Pass with the pass detail.
func (t *tally) result(name, pass string) CheckResult {
	parts := append(append([]string{}, t.fails...), t.warns...)
	if len(t.skipped) > 0 {
		parts = append(parts, fmt.Sprintf("%s not inspected (unreachable)", strings.Join(t.skipped, ", ")))
	}
	switch {
	case len(t.fails) > 0:
		return CheckResult{Name: name, Verdict: Fail, Detail: strings.Join(parts, "; ")}
	case len(parts) > 0:
		return CheckResult{Name: name, Verdict: Warn, Detail: strings.Join(parts, "; ")}
	}
	return CheckResult{Name: name, Verdict: Pass, Detail: pass}
}

// podList names pods for a detail: "mysql-1, mysql-2", or "none".
func podList(members []*Member) string {
	if len(members) == 0 {
		return "none"
	}
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.Pod
	}
	return strings.Join(names, ", ")
}

// reachable returns the members whose server was read; the others are
// recorded as skipped in t.
func reachable(members []*Member, t *tally) []*Member {
	var out []*Member
	for _, m := range members {
		if m.Reachable() {
			out = append(out, m)
		} else {
			t.skip(m.Pod)
		}
	}
	return out
}
