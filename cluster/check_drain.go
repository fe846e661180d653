package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// readPrimaryNode records the node of the recorded primary's pod and
// whether it is cordoned. An error (no access to nodes, a node gone)
// leaves it unknown: it is a hint, not a fact status must have.
func (c *Cluster) readPrimaryNode(ctx context.Context, r *StatusReport) {
	m := r.Member(r.Cluster.RecordedPrimary)
	if m == nil || m.Node == "" {
		return
	}
	r.Cluster.PrimaryNode = m.Node
	if cordoned, err := c.api.NodeCordoned(ctx, m.Node); err == nil {
		r.Cluster.PrimaryNodeCordoned = &cordoned
	} else {
		c.debugf("%v: whether a drain waits on the primary is not known", err)
	}
}

// checkPrimaryNode warns when the recorded primary's node is cordoned: a
// drain (or a person) stopped it taking pods, and a drain's evictions of
// the primary wait on its disruption budget until a switchover hands the
// writes to a replica. Nothing of ours runs during the drain to do it.
func checkPrimaryNode(r *StatusReport) CheckResult {
	s := r.Cluster
	res := CheckResult{Name: CheckPrimaryNode, Verdict: Pass}
	switch {
	case s.PrimaryNode == "":
		res.Detail = "no recorded primary runs on a node"
	case s.PrimaryNodeCordoned == nil:
		res.Detail = fmt.Sprintf("the primary %s runs on node %s, whose state could not be read", s.RecordedPrimary, s.PrimaryNode)
	case *s.PrimaryNodeCordoned:
		remedy := "run mysqlctl switchover to hand its writes to a replica on another node, and the drain takes it as a replica"
		if s.Pods < 2 {
			remedy = "a single server cannot hand its writes over: scale to 2 servers and switch over, or accept the downtime and delete the pod"
		}
		res.Verdict = Warn
		res.Detail = fmt.Sprintf("the primary %s runs on node %s, which is cordoned (a drain?): evictions of the primary wait on PodDisruptionBudget %s; %s",
			s.RecordedPrimary, s.PrimaryNode, manifest.PrimaryDisruptionBudgetName(s.Name), remedy)
	default:
		res.Detail = fmt.Sprintf("the primary %s runs on node %s, which is not cordoned", s.RecordedPrimary, s.PrimaryNode)
	}
	return res
}
