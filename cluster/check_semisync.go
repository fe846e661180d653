package cluster

import (
	"fmt"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// checkSemiSync: where the servers were started with semi-sync asked for,
// the primary waits for acknowledgements and a replica gives them. A
// primary that fell back to asynchronous replication, or waits for a
// replica that is not there, is what a lost primary would turn into lost
// writes, or what stops every write: both fail.
func checkSemiSync(v view) CheckResult {
	configured := anyStartedWithSemiSync(v.r.Members)
	asked := v.r.Cluster.SemiSyncAsked
	if !configured && asked != "" && asked != manifest.SemiSyncOff {
		return CheckResult{Name: CheckSemiSync, Verdict: Fail, Detail: fmt.Sprintf(
			"the cluster asks for semiSync %s, but no server runs with it: a commit waits for no replica (an image without the semi-sync plugins, or a change of semiSync still rolling out: mysqlctl status, and the servers' logs)", asked)}
	}
	if !configured {
		return CheckResult{Name: CheckSemiSync, Verdict: Pass, Detail: "semi-synchronous replication is off (spec key semiSync)"}
	}
	var t tally
	p := v.r.Member(v.primary)
	switch {
	case p == nil || !p.Reachable():
		t.skip(v.primary)
	case p.SemiSync == nil || !p.SemiSync.Configured:
		t.warn("the replicas were started with semi-sync and the primary %s without it: a change of semiSync is rolling out (mysqlctl status)", p.Pod)
	case !p.SemiSync.SourceEnabled:
		t.fail("the primary %s does not wait for replicas' acknowledgements (its source side is off), so a commit it acknowledges may be on it alone: mysqlctl switchover makes a replica the primary that does", p.Pod)
	case p.SemiSync.Clients == 0 && p.SemiSync.TimeoutMillis >= manifest.StrictSemiSyncTimeoutMillis:
		t.fail("no replica acknowledges %s's commits, and semiSync is strict: every write waits until one does; get a replica replicating (mysqlctl status shows why none is)", p.Pod)
	case !p.SemiSync.SourceActive:
		t.fail("the primary %s fell back to asynchronous replication (no acknowledgement within %s; %d commits were acknowledged without one since it started): a lost primary would lose them until a replica catches up and it waits again (mysqlctl status shows the replicas)",
			p.Pod, millis(p.SemiSync.TimeoutMillis), p.SemiSync.NoAck)
	case p.SemiSync.Clients == 0:
		t.fail("no replica acknowledges %s's commits: the next commit waits %s, then the primary falls back to asynchronous replication; get a replica replicating (mysqlctl status shows why none is)", p.Pod, millis(p.SemiSync.TimeoutMillis))
	}
	if p == nil || p.SemiSync == nil {
		return t.result(CheckSemiSync, "")
	}
	wait := "falls back after " + millis(p.SemiSync.TimeoutMillis)
	if p.SemiSync.TimeoutMillis >= manifest.StrictSemiSyncTimeoutMillis {
		wait = "strict: never falls back"
	}
	return t.result(CheckSemiSync, fmt.Sprintf("%s waits for an acknowledgement from one of %d semi-synchronous replicas (%s)", p.Pod, p.SemiSync.Clients, wait))
}

func millis(ms uint64) string { return (time.Duration(ms) * time.Millisecond).String() }

// semiSyncState is ClusterSummary.SemiSync: what the primary does with
// acknowledgements, "" where no server was started with semi-sync.
func semiSyncState(members []Member, primary string) string {
	var p *Member
	for i := range members {
		if members[i].Pod == primary {
			p = &members[i]
		}
	}
	switch {
	case !anyStartedWithSemiSync(members):
		return ""
	case p == nil || p.SemiSync == nil:
		return "on (the primary's state unknown)"
	case !p.SemiSync.SourceEnabled:
		return "on, but the primary does not wait"
	case p.SemiSync.Clients == 0 && p.SemiSync.TimeoutMillis >= manifest.StrictSemiSyncTimeoutMillis:
		return "strict, no replica acknowledges: writes wait"
	case !p.SemiSync.SourceActive:
		return "fell back to asynchronous"
	case p.SemiSync.Clients == 0:
		return "on, no replica acknowledges"
	}
	return fmt.Sprintf("on, %d replicas acknowledge", p.SemiSync.Clients)
}

// anyStartedWithSemiSync: some server was started with semi-sync asked for.
func anyStartedWithSemiSync(members []Member) bool {
	for _, m := range members {
		if m.SemiSync != nil && m.SemiSync.Configured {
			return true
		}
	}
	return false
}
