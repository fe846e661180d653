package cluster

import (
	"context"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// gathering is a report together with the members' open connections, which
// check still needs after the report for its checksums.
type gathering struct {
	report *StatusReport
	slots  []slot
	probes []*probe
}

// close releases every member's connection and port-forward.
func (g *gathering) close() {
	for _, p := range g.probes {
		p.close()
	}
}

// server returns the open connection to pod, or nil.
func (g *gathering) server(pod string) Server {
	for i, s := range g.slots {
		if s.name == pod {
			return g.probes[i].server
		}
	}
	return nil
}

// gather reads the cluster's objects and pods, then every member in
// parallel, and builds the report. The connections stay open: call close.
func (c *Cluster) gather(ctx context.Context) (*gathering, error) {
	sts, err := c.statefulSet(ctx)
	if err != nil {
		return nil, err
	}
	pods, err := c.api.ListPods(ctx, manifest.PodSelector(c.name))
	if err != nil {
		return nil, err
	}
	if sts == nil && len(pods) == 0 {
		return nil, c.notFound()
	}
	objects, creds := c.objects(ctx, sts)
	g := &gathering{slots: memberSlots(c.name, pods, desiredReplicas(sts))}
	g.probes = c.probeAll(ctx, g.slots, creds)
	facts := c.analyze(ctx, g.probes)
	g.report = &StatusReport{
		APIVersion: ReportAPIVersion, Kind: KindStatus, ObservedAt: c.now().UTC(),
		Objects: objects, Certificates: creds.certificates, Errors: []string{},
		Members: members(g.slots, g.probes, facts),
	}
	if creds.err != nil {
		g.report.Errors = append(g.report.Errors, creds.err.Error())
	}
	g.report.Cluster = summarize(c.name, c.Namespace(), g.report.Members, g.probes, facts)
	g.report.Cluster.WriteEndpoint = c.WriteEndpoint()
	if sts != nil {
		g.report.Cluster.SemiSyncAsked = manifest.LiveSpec(sts).WithDefaults().SemiSync
	}
	if rec, err := c.loadRecord(ctx); err != nil {
		g.report.Errors = append(g.report.Errors, err.Error())
	} else {
		g.report.Cluster.RecordedPrimary = c.validPrimary(rec.data[StateKeyPrimary])
		if g.report.Cluster.RoleChange, err = c.intentOf(rec); err != nil {
			g.report.Errors = append(g.report.Errors, err.Error())
		}
	}
	c.readPrimaryNode(ctx, g.report)
	if hint := mostData(g.report); hint != "" {
		g.report.Cluster.Problems = append(g.report.Cluster.Problems, hint)
	}
	return g, nil
}

// desiredReplicas is how many pods the StatefulSet wants (0 without one).
func desiredReplicas(sts *appsv1.StatefulSet) int {
	if sts == nil {
		return 0
	}
	if sts.Spec.Replicas == nil {
		return 1 // the API's default
	}
	return int(*sts.Spec.Replicas)
}

// memberSlots lists the pods, plus a slot for every ordinal below want that
// has no pod (deleted, not re-created yet), sorted by ordinal. Pods without
// an ordinal get -1 and go last.
func memberSlots(name string, pods []corev1.Pod, want int) []slot {
	var out []slot
	seen := map[int]bool{}
	for i := range pods {
		ord, ok := kube.Ordinal(pods[i].Name)
		if !ok {
			ord = -1
		}
		seen[ord] = true
		out = append(out, slot{name: pods[i].Name, ordinal: ord, pod: &pods[i]})
	}
	for ord := 0; ord < want; ord++ {
		if !seen[ord] {
			out = append(out, slot{name: manifest.PodName(name, ord), ordinal: ord})
		}
	}
	slices.SortStableFunc(out, func(a, b slot) int {
		if (a.ordinal < 0) != (b.ordinal < 0) {
			return b.ordinal - a.ordinal // -1 last
		}
		if a.ordinal != b.ordinal {
			return a.ordinal - b.ordinal
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// analyze derives the facts across members. Reports are read in parallel,
// so a replica read after the primary may already hold the primary's newest
// transactions, which look errant against the older primary report (MySQL
// GTID sets; MariaDB's check tolerates this). Before calling anything errant,
// the primary is read again, now after every replica, and the facts are
// derived anew from that fresher report.
func (c *Cluster) analyze(ctx context.Context, probes []*probe) sql.Facts {
	facts := sql.Analyze(reportsOf(probes))
	if facts.Primary == "" || !anyErrant(facts) {
		return facts
	}
	for _, p := range probes {
		if p.report == nil || p.report.Name != facts.Primary || p.server == nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, c.podTimeout())
		fresh, err := p.server.Report(rctx)
		cancel()
		if err != nil || fresh == nil {
			c.debugf("%s: second read for errant transactions failed: %v", facts.Primary, err)
			return facts
		}
		p.report = fresh
		return sql.Analyze(reportsOf(probes))
	}
	return facts
}

func reportsOf(probes []*probe) []*sql.InstanceReport {
	out := make([]*sql.InstanceReport, 0, len(probes))
	for _, p := range probes {
		if p.report != nil {
			out = append(out, p.report)
		}
	}
	return out
}

func anyErrant(f sql.Facts) bool {
	for _, inst := range f.Instances {
		if inst.Errant != "" {
			return true
		}
	}
	return false
}
