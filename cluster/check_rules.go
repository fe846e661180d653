package cluster

import (
	"fmt"
	"slices"
	"strings"
)

// checkObjectsPresent: the StatefulSet, both Services, the Secret and the
// ConfigMap exist.
func checkObjectsPresent(r *StatusReport) CheckResult {
	var t tally
	for _, o := range r.Objects {
		switch {
		case o.Error != "":
			t.warn("cannot tell whether %s %s exists: %s", o.Kind, o.Name, oneLine(o.Error))
		case !o.Present:
			t.fail("%s %s is missing", o.Kind, o.Name)
		}
	}
	return t.result(CheckObjectsPresent, fmt.Sprintf("all %d objects of cluster %s exist", len(r.Objects), r.Cluster.Name))
}

// checkPodsReady: every member's pod exists and is Ready.
func checkPodsReady(r *StatusReport) CheckResult {
	var t tally
	for _, m := range r.Members {
		switch {
		case m.PodState == "missing":
			t.fail("%s does not exist", m.Pod)
		case !m.Ready:
			t.fail("%s is not ready (%s)", m.Pod, m.PodState)
		}
	}
	return t.result(CheckPodsReady, fmt.Sprintf("%d/%d pods ready", r.Cluster.ReadyPods, r.Cluster.Pods))
}

// checkMembersReachable: every server answered. A partial answer warns.
func checkMembersReachable(r *StatusReport) CheckResult {
	var t tally
	for _, m := range r.Members {
		switch {
		case !m.Reachable():
			t.fail("%s: %s", m.Pod, oneLine(m.Error))
		case m.Error != "":
			t.warn("%s answered in part: %s", m.Pod, oneLine(m.Error))
		}
	}
	return t.result(CheckMembersReachable, fmt.Sprintf("all %d servers answered", len(r.Members)))
}

// checkSinglePrimary: exactly one writable server replicates from nobody,
// and it is the pod the cluster's record names, which the write Service
// selects.
func checkSinglePrimary(v view) CheckResult {
	var t tally
	var writers []*Member
	for i := range v.r.Members {
		m := &v.r.Members[i]
		switch {
		case !m.Reachable():
			t.skip(m.Pod)
		case m.Pod == v.r.Cluster.RecordedPrimary && m.Replication != nil:
			t.fail("%s replicates from %s: the primary must replicate from nobody", m.Pod, m.Replication.Source)
		case !*m.ReadOnly && m.Replication == nil:
			writers = append(writers, m)
		}
	}
	switch {
	case v.r.Cluster.RecordedPrimary == "" && len(writers) == 1:
		t.fail("the cluster's record names no primary (deleted?), so no server makes itself writable after a restart: record %s with mysqlctl promote %s --adopt", writers[0].Pod, writers[0].Pod)
	case v.r.Cluster.RecordedPrimary == "":
		t.fail("the cluster's record names no primary (deleted?), so every server stays read-only: find the server with the most data with mysqlctl status, then mysqlctl promote POD (--adopt when it is writable already)")
	case len(writers) == 0:
		if hint := mostData(v.r); hint != "" {
			t.fail("%s", hint)
		} else {
			t.fail("no writable primary: no server is writable without replicating")
		}
	case len(writers) > 1:
		t.fail("several writable servers replicate from nobody (split brain): %s", podList(writers))
	case v.r.Cluster.RecordedPrimary != "" && writers[0].Pod != v.r.Cluster.RecordedPrimary:
		t.fail("the writable server is %s, but the cluster's record (and the write Service) name %s: run mysqlctl switchover --to %s or promote %s", writers[0].Pod, v.r.Cluster.RecordedPrimary, writers[0].Pod, writers[0].Pod)
	}
	return t.result(CheckSinglePrimary, fmt.Sprintf("%s is the only writable server and replicates from nobody", v.primary))
}

// checkNoRoleChange: no switchover or promote is under way, or was left
// half-done by a command that died: the record's intent keeps the
// recorded primary read-only until a command finishes or undoes it.
func checkNoRoleChange(r *StatusReport) CheckResult {
	var t tally
	if in := r.Cluster.RoleChange; in != nil {
		if in.Interrupted(r.ObservedAt) {
			t.fail("a %s was interrupted: run mysqlctl switchover to finish or undo it (or mysqlctl promote POD --adopt for the server that holds the writes)", in)
		} else {
			t.warn("a %s is under way", in)
		}
	}
	return t.result(CheckNoRoleChange, "no role change under way")
}

// checkServerIDsUnique: replicas drop events carrying their own server id,
// so two servers sharing one silently lose each other's transactions.
func checkServerIDsUnique(v view) CheckResult {
	var t tally
	users := map[uint32][]string{}
	var ids []uint32
	for i := range v.r.Members {
		m := &v.r.Members[i]
		if !m.Reachable() {
			t.skip(m.Pod)
			continue
		}
		if _, seen := users[*m.ServerID]; !seen {
			ids = append(ids, *m.ServerID)
		}
		users[*m.ServerID] = append(users[*m.ServerID], m.Pod)
	}
	slices.Sort(ids)
	idTexts := make([]string, len(ids))
	for i, id := range ids {
		idTexts[i] = fmt.Sprint(id)
		if len(users[id]) > 1 {
			t.fail("server id %d is used by %s", id, strings.Join(users[id], ", "))
		}
	}
	return t.result(CheckServerIDsUnique, fmt.Sprintf("server ids %s are unique", strings.Join(idTexts, ", ")))
}

// checkReplicasReadOnly: every replica refuses ordinary writes, and on
// MySQL also privileged ones (super_read_only); MariaDB has no such
// setting, so there only read_only is required.
func checkReplicasReadOnly(v view) CheckResult {
	var t tally
	super := true
	for _, m := range reachable(v.replicas, &t) {
		if !*m.ReadOnly {
			t.fail("%s is writable (read_only OFF)", m.Pod)
		}
		if m.SuperReadOnly == nil {
			super = false
		} else if !*m.SuperReadOnly {
			t.fail("%s has super_read_only OFF", m.Pod)
		}
	}
	pass := fmt.Sprintf("%s read-only", podList(v.replicas))
	if super && len(v.replicas) > 0 {
		pass += " and super-read-only"
	}
	if len(v.replicas) == 0 {
		pass = "no replicas"
	}
	return t.result(CheckReplicasReadOnly, pass)
}
