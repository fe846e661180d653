package sql

import (
	"fmt"
	"sort"
	"strings"
)

// Role is what a server does in the replication topology.
type Role string

// The roles Analyze assigns.
const (
	// RolePrimary: writable and not a replica. More than one means split brain.
	RolePrimary Role = "primary"
	// RoleReplica: has a replication source configured.
	RoleReplica Role = "replica"
	// RoleNone: read-only and not a replica; it takes no writes and gets none.
	RoleNone Role = "none"
)

// Facts are derived across servers from their reports.
type Facts struct {
	// Primary names the single primary; empty when there is none or several.
	Primary string `json:"primary,omitempty"`
	// Instances has one entry per report, sorted by name.
	Instances []InstanceFacts `json:"instances"`
	// DuplicateServerIDs maps a server id used more than once to its users.
	DuplicateServerIDs map[uint32][]string `json:"duplicateServerIds,omitempty"`
	// Problems says in one sentence each what is wrong: the primary first,
	// then each server by name, then duplicate server ids.
	Problems []string `json:"problems,omitempty"`
}

// InstanceFacts are the facts about one server relative to the others.
type InstanceFacts struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Source names the reported server this replica's source host and port
	// match; empty when none does.
	Source string `json:"source,omitempty"`
	// WrongSource is set for a replica that does not replicate from the
	// primary, even if its threads run and its lag is 0.
	WrongSource bool `json:"wrongSource,omitempty"`
	// Errant holds the transactions this server has and the primary has not,
	// in the flavour's notation; empty when none.
	Errant string `json:"errant,omitempty"`
	// BehindTransactions counts the primary's transactions not executed here
	// (by GTID); nil when it cannot be told.
	BehindTransactions *uint64 `json:"behindTransactions,omitempty"`
	// BehindBytes is the distance in the primary's current binary log file
	// for a replica of the primary executing that file; nil otherwise.
	BehindBytes *uint64 `json:"behindBytes,omitempty"`
}

// Analyze derives the cluster's facts from its servers' reports. Nil reports
// (servers that could not be read) are skipped. For errant transactions
// without false alarms, read the primary's report before the replicas'.
func Analyze(reports []*InstanceReport) Facts {
	var reps []*InstanceReport
	for _, r := range reports {
		if r != nil {
			reps = append(reps, r)
		}
	}
	sort.Slice(reps, func(i, j int) bool { return reps[i].Name < reps[j].Name })

	var facts Facts
	primary := findPrimary(reps, &facts)
	for _, r := range reps {
		inst := instanceFacts(r, reps, primary, &facts)
		facts.Instances = append(facts.Instances, inst)
	}
	facts.DuplicateServerIDs = duplicateServerIDs(reps, &facts)
	return facts
}

// findPrimary returns the only writable server that is not a replica, or nil
// (and a problem) when there is none or more than one.
func findPrimary(reps []*InstanceReport, facts *Facts) *InstanceReport {
	var candidates []*InstanceReport
	var names []string
	for _, r := range reps {
		if r.Writable() && !r.IsReplica() {
			candidates = append(candidates, r)
			names = append(names, r.Name)
		}
	}
	switch len(candidates) {
	case 1:
		facts.Primary = candidates[0].Name
		return candidates[0]
	case 0:
		if len(reps) > 0 {
			facts.problemf("no primary: no server is writable without replicating from another")
		}
	default:
		facts.problemf("several primaries (split brain): %s are writable and replicate from nobody", strings.Join(names, ", "))
	}
	return nil
}

func roleOf(r *InstanceReport) Role {
	switch {
	case r.IsReplica():
		return RoleReplica
	case r.Writable():
		return RolePrimary
	}
	return RoleNone
}

// instanceFacts relates one server to the primary and to the other servers.
func instanceFacts(r *InstanceReport, reps []*InstanceReport, primary *InstanceReport, facts *Facts) InstanceFacts {
	inst := InstanceFacts{Name: r.Name, Role: roleOf(r)}
	if r.IsReplica() {
		inst.Source = sourceName(r, reps, primary)
		if primary != nil && !followsServer(r.Replica, primary) {
			inst.WrongSource = true
			facts.problemf("%s replicates from %s, not from the primary %s", r.Name, describeSource(r.Replica, inst.Source), primary.Name)
		}
		if r.Writable() {
			facts.problemf("%s is a replica but read_only is off: direct writes there become errant transactions", r.Name)
		}
		if !r.Replica.Replicating() {
			facts.problemf("%s: replication stopped (IO thread %s, SQL thread %s)%s", r.Name,
				r.Replica.IOThread, r.Replica.SQLThread, describeErrors(r.Replica))
		}
	}
	if primary == nil || r == primary {
		return inst
	}
	if primary.Flavour.IsMariaDB() != r.Flavour.IsMariaDB() {
		facts.problemf("%s runs %s but the primary %s runs %s: GTIDs cannot be compared", r.Name, r.Flavour, primary.Name, primary.Flavour)
		return inst
	}
	compareGTIDs(r, primary, &inst, facts)
	if !inst.WrongSource && r.IsReplica() {
		inst.BehindBytes = behindBytes(r.Replica, primary.Binlog)
	}
	return inst
}

// sourceName names the report a replica follows, preferring the primary
// when several match (servers whose names cannot be told apart).
func sourceName(r *InstanceReport, reps []*InstanceReport, primary *InstanceReport) string {
	if primary != nil && primary != r && followsServer(r.Replica, primary) {
		return primary.Name
	}
	for _, other := range reps {
		if other != r && followsServer(r.Replica, other) {
			return other.Name
		}
	}
	return ""
}

func describeSource(s *ReplicaStatus, name string) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("%s:%d", s.SourceHost, s.SourcePort)
}

func describeErrors(s *ReplicaStatus) string {
	var parts []string
	for _, e := range []*ThreadError{s.LastIOError, s.LastSQLError} {
		if e != nil {
			parts = append(parts, fmt.Sprintf("error %d: %s", e.Errno, e.Message))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

func (f *Facts) problemf(format string, args ...any) {
	f.Problems = append(f.Problems, fmt.Sprintf(format, args...))
}
