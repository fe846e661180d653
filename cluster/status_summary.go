package cluster

import (
	"fmt"
	"strings"

	"github.com/mysqlctl/mysqlctl/sql"
)

// summarize computes the cluster's one-line view from its members.
func summarize(name, ns string, members []Member, probes []*probe, facts sql.Facts) ClusterSummary {
	s := ClusterSummary{Name: name, Namespace: ns, Primary: facts.Primary, Pods: len(members), Problems: facts.Problems}
	if s.Problems == nil {
		s.Problems = []string{}
	}
	if r := representative(probes, facts.Primary); r != nil {
		s.Flavour, s.Version = string(r.Flavour), r.Version
	}
	for _, m := range members {
		if m.Version != "" && s.Version != "" && m.Version != s.Version {
			s.OtherVersions = append(s.OtherVersions, m.Pod+" "+ShortVersion(m.Version))
		}
		if m.Ready {
			s.ReadyPods++
		}
		if m.Pod == facts.Primary {
			continue
		}
		s.Replicas++
		if rep := m.Replication; rep != nil && rep.IORunning && rep.SQLRunning {
			s.Replicating++
		}
	}
	worstLag(&s, members)
	s.SemiSync = semiSyncState(members, facts.Primary)
	return s
}

// representative is the report that speaks for the cluster's flavour: the
// primary's, else the first one read.
func representative(probes []*probe, primary string) *sql.InstanceReport {
	var first *sql.InstanceReport
	for _, p := range probes {
		if p.report == nil {
			continue
		}
		if p.report.Name == primary {
			return p.report
		}
		if first == nil {
			first = p.report
		}
	}
	return first
}

// worstLag sets the highest lag among the replicas, or, when a replica's
// lag is unknown, leaves it null and names that replica: an unknown lag may
// be the worst one.
func worstLag(s *ClusterSummary, members []Member) {
	var worst *int64
	var worstPod, unknown string
	for _, m := range members {
		if m.Pod == s.Primary {
			continue
		}
		lag, _ := lagBehindPrimary(m, s.Primary)
		switch {
		case lag == nil && unknown == "":
			unknown = m.Pod
		case lag != nil && (worst == nil || *lag > *worst):
			worst, worstPod = lag, m.Pod
		}
	}
	if unknown != "" {
		s.WorstLagPod = unknown
		return
	}
	if worst != nil {
		s.WorstLagSeconds, s.WorstLagPod = ptrTo(*worst), worstPod
	}
}

// lagBehindPrimary is how far a replica is behind the primary: its
// Seconds_Behind when it reads from the primary, or when no primary is
// known to compare with. A replica of another server measures only its
// distance from that server, which may itself be stopped or far behind: its
// lag is then unknown (nil), and why says so.
func lagBehindPrimary(m Member, primary string) (lag *int64, why string) {
	rep := m.Replication
	switch {
	case rep == nil || rep.SecondsBehind == nil:
		return nil, "replication not running"
	case primary == "" || rep.FollowsPrimary:
		return rep.SecondsBehind, ""
	}
	source := rep.SourcePod
	if source == "" {
		source = rep.Source
	}
	why = fmt.Sprintf("it replicates from %s, not from the primary %s", source, primary)
	if m.BehindTransactions != nil && *m.BehindTransactions > 0 {
		why += fmt.Sprintf(", and is %d transaction(s) behind the primary", *m.BehindTransactions)
	}
	return nil, why
}

// Server names the flavour and version for people, e.g. "MariaDB 10.11.6"
// or "MySQL 8.4.2"; "" when no server could be read.
func (s ClusterSummary) Server() string {
	if s.Version == "" {
		return ""
	}
	family := "MySQL"
	if sql.Flavour(s.Flavour).IsMariaDB() {
		family = "MariaDB"
	}
	server := fmt.Sprintf("%s %s", family, ShortVersion(s.Version))
	if len(s.OtherVersions) > 0 {
		server += " (" + strings.Join(s.OtherVersions, ", ") + ")"
	}
	return server
}

// ShortVersion is VERSION() without its suffix ("11.8.9" of
// "11.8.9-MariaDB-log"), or as it is when it does not parse.
func ShortVersion(version string) string {
	v, err := sql.ParseVersion(version)
	if err != nil {
		return version
	}
	return v.String()
}
