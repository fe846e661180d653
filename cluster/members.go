package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// members builds one Member per slot from its pod, its server's report (if
// any) and the facts derived across servers.
func members(slots []slot, probes []*probe, facts sql.Facts) []Member {
	byName := make(map[string]sql.InstanceFacts, len(facts.Instances))
	for _, f := range facts.Instances {
		byName[f.Name] = f
	}
	out := make([]Member, len(slots))
	for i, s := range slots {
		m := podMember(s)
		if r := probes[i].report; r != nil {
			serverFields(&m, r)
			factFields(&m, byName[r.Name], facts.Primary)
		}
		if err := probes[i].err; err != nil {
			m.Error = err.Error()
			if m.PodState == string(kube.StageTerminating) {
				// The real cause: a server shutting down fails in odd ways
				// ("invalid connection").
				m.Error = "pod is being deleted: " + m.Error
			}
		}
		out[i] = m
	}
	return out
}

// podMember fills what Kubernetes knows about a member.
func podMember(s slot) Member {
	m := Member{Pod: s.name, Ordinal: s.ordinal, Role: RoleUnknown, PodState: "missing"}
	p := s.pod
	if p == nil {
		return m
	}
	progress := kube.ProgressOf(p)
	m.PodState = string(progress.Stage)
	m.Ready = progress.Stage == kube.StageReady
	m.Node = p.Spec.NodeName
	if !p.CreationTimestamp.IsZero() {
		t := p.CreationTimestamp.UTC()
		m.CreatedAt = &t
	}
	m.Containers = len(p.Spec.Containers)
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			m.ReadyContainers++
		}
	}
	return m
}

// serverFields copies what the server said about itself. A partial report
// (identity read, a later query failed) fills what it has.
func serverFields(m *Member, r *sql.InstanceReport) {
	m.ServerID = ptrTo(r.ServerID)
	m.ServerUUID = r.ServerUUID
	m.Version = r.Version
	m.ReadOnly = ptrTo(r.ReadOnly)
	if r.SuperReadOnly != nil {
		m.SuperReadOnly = ptrTo(*r.SuperReadOnly)
	}
	if r.Binlog != nil {
		m.BinlogFile = r.Binlog.File
		m.BinlogPosition = ptrTo(r.Binlog.Position)
	}
	m.GTIDExecuted = executedGTID(r)
	m.SemiSync = r.SemiSync
	if r.Replica != nil {
		m.Replication = replication(r.Replica)
	}
}

// executedGTID is what the server has executed: MySQL's gtid_executed,
// MariaDB's gtid_current_pos (the last GTID applied or written per domain).
func executedGTID(r *sql.InstanceReport) string {
	if r.Flavour.IsMariaDB() {
		return r.GTID.CurrentPos
	}
	if r.GTID.Executed == "" && r.Binlog != nil {
		return r.Binlog.ExecutedGTIDSet
	}
	return r.GTID.Executed
}

func replication(rs *sql.ReplicaStatus) *Replication {
	rep := &Replication{
		Source:          net.JoinHostPort(rs.SourceHost, strconv.Itoa(rs.SourcePort)),
		IOThread:        string(rs.IOThread),
		SQLThread:       string(rs.SQLThread),
		IORunning:       rs.IOThread.Running(),
		SQLRunning:      rs.SQLThread.Running(),
		SQLDelaySeconds: rs.SQLDelay,
		GTIDReceived:    rs.Received(),
		LastIOError:     threadError(rs.LastIOError),
		LastSQLError:    threadError(rs.LastSQLError),
	}
	if rs.SecondsBehind != nil {
		rep.SecondsBehind = ptrTo(*rs.SecondsBehind)
	}
	var parts []string
	if e := rep.LastIOError; e != nil {
		parts = append(parts, fmt.Sprintf("IO error %d: %s", e.Errno, oneLine(e.Message)))
	}
	if e := rep.LastSQLError; e != nil {
		parts = append(parts, fmt.Sprintf("SQL error %d: %s", e.Errno, oneLine(e.Message)))
	}
	rep.LastError = strings.Join(parts, "; ")
	return rep
}

func threadError(e *sql.ThreadError) *ThreadError {
	if e == nil || (e.Errno == 0 && e.Message == "") {
		return nil
	}
	return &ThreadError{Errno: e.Errno, Message: e.Message}
}

// factFields adds what is known only by comparing servers.
func factFields(m *Member, f sql.InstanceFacts, primary string) {
	switch f.Role {
	case sql.RolePrimary:
		m.Role = RolePrimary
	case sql.RoleReplica:
		m.Role = RoleReplica
	case sql.RoleNone:
		m.Role = RoleNone
	}
	m.ErrantTransactions = f.Errant
	if f.BehindTransactions != nil {
		m.BehindTransactions = ptrTo(*f.BehindTransactions)
	}
	if m.Replication != nil {
		m.Replication.SourcePod = f.Source
		m.Replication.FollowsPrimary = primary != "" && primary != m.Pod && !f.WrongSource
	}
}

// oneLine keeps a server message on one line of a table or check detail.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func ptrTo[T any](v T) *T { return &v }
