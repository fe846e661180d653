package cluster

import (
	"context"
	"time"
)

// Verdict is the outcome of one check.
type Verdict string

// Verdicts, from best to worst.
const (
	Pass Verdict = "PASS"
	Warn Verdict = "WARN" // could not be verified, or a past problem
	Fail Verdict = "FAIL"
)

// Names of the checks, stable: scripts may select them from -o json.
const (
	CheckObjectsPresent        = "objects-present"
	CheckPodsReady             = "pods-ready"
	CheckMembersReachable      = "members-reachable"
	CheckSinglePrimary         = "single-primary"
	CheckNoRoleChange          = "no-role-change"
	CheckServerIDsUnique       = "server-ids-unique"
	CheckReplicasReadOnly      = "replicas-read-only"
	CheckReplicationRunning    = "replication-running"
	CheckReplicasFollowPrimary = "replicas-follow-primary"
	CheckReplicationLag        = "replication-lag"
	CheckNoErrantTransactions  = "no-errant-transactions"
	CheckNoReplicationErrors   = "no-replication-errors"
	CheckSemiSync              = "semi-sync"
	CheckCertificatesValid     = "certificates-valid"
	CheckPrimaryNode           = "primary-node"
	CheckChecksumsMatch        = "checksums-match"
)

// CheckResult is one named check: its verdict and a one-line detail that
// names the pods concerned.
type CheckResult struct {
	Name    string  `json:"name"`
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
}

// CheckReport is what `mysqlctl check` prints (schema in
// docs/status-schema.md). Verdict is the worst verdict of Checks.
type CheckReport struct {
	APIVersion string         `json:"apiVersion"` // ReportAPIVersion
	Kind       string         `json:"kind"`       // KindCheck
	ObservedAt time.Time      `json:"observedAt"`
	Cluster    ClusterSummary `json:"cluster"`
	Verdict    Verdict        `json:"verdict"`
	Checks     []CheckResult  `json:"checks"`
}

// CheckOptions are the choices of `mysqlctl check`.
type CheckOptions struct {
	// MaxLag is the highest replication lag that passes.
	MaxLag time.Duration
	// Checksum waits until the replicas have executed the primary's
	// transactions, then compares CHECKSUM TABLE of every user table.
	Checksum bool
	// CatchUpTimeout bounds that wait (DefaultCatchUp if 0).
	CatchUpTimeout time.Duration
}

// DefaultMaxLag is check's --max-lag default.
const DefaultMaxLag = 10 * time.Second

// Check gathers the cluster's status and judges it. It fails only when the
// status cannot be gathered at all (see Status); a member that cannot be
// reached makes checks fail, not Check.
func (c *Cluster) Check(ctx context.Context, opts CheckOptions) (*CheckReport, error) {
	g, err := c.gather(ctx)
	if err != nil {
		return nil, err
	}
	defer g.close()
	results := Evaluate(g.report, opts)
	if opts.Checksum {
		results = append(results, c.checksums(ctx, g, opts))
	}
	return &CheckReport{
		APIVersion: ReportAPIVersion, Kind: KindCheck, ObservedAt: g.report.ObservedAt,
		Cluster: g.report.Cluster, Verdict: Worst(results), Checks: results,
	}, nil
}

// Evaluate runs every check that needs only the status report, in a fixed
// order. It is a pure function, so each check is tested from fixed reports.
func Evaluate(r *StatusReport, opts CheckOptions) []CheckResult {
	v := newView(r)
	return []CheckResult{
		checkObjectsPresent(r),
		checkPodsReady(r),
		checkMembersReachable(r),
		checkSinglePrimary(v),
		checkNoRoleChange(r),
		checkServerIDsUnique(v),
		checkReplicasReadOnly(v),
		checkReplicationRunning(v),
		checkReplicasFollowPrimary(v),
		checkReplicationLag(v, opts.MaxLag),
		checkNoErrantTransactions(v),
		checkNoReplicationErrors(v),
		checkSemiSync(v),
		checkCertificates(r),
		checkPrimaryNode(r),
	}
}

// Worst is the worst verdict of results (Pass for none).
func Worst(results []CheckResult) Verdict {
	worst := Pass
	for _, r := range results {
		switch {
		case r.Verdict == Fail:
			return Fail
		case r.Verdict == Warn:
			worst = Warn
		}
	}
	return worst
}
