package cluster

import (
	"time"

	"github.com/mysqlctl/mysqlctl/sql"
)

// ReportAPIVersion versions the JSON/YAML schema of StatusReport and
// CheckReport (docs/status-schema.md). Fields may be added within a version;
// none is renamed, removed or changes meaning without a new version.
const ReportAPIVersion = "mysqlctl/v1"

// Kinds of the printed reports.
const (
	KindStatus = "Status"
	KindCheck  = "Check"
)

// StatusReport is what `mysqlctl status` prints: everything that could be
// gathered about one cluster, with what could not be gathered marked rather
// than fatal. Its JSON form is a stable schema (see docs/status-schema.md):
// every key is always present; a value that is unknown or does not exist on
// the flavour is null (numbers, booleans, objects) or "" (strings).
type StatusReport struct {
	APIVersion string `json:"apiVersion"` // ReportAPIVersion
	Kind       string `json:"kind"`       // KindStatus
	// ObservedAt is when the report was gathered.
	ObservedAt time.Time      `json:"observedAt"`
	Cluster    ClusterSummary `json:"cluster"`
	// Members has one entry per pod, and one per ordinal the StatefulSet
	// wants but has no pod for, sorted by ordinal.
	Members []Member `json:"members"`
	// Objects are the Kubernetes objects the cluster is made of.
	Objects []ObjectPresence `json:"objects"`
	// Certificates are the ends of the servers' certificate and the CA.
	Certificates []Certificate `json:"certificates"`
	// Errors are problems that concern the whole cluster (the credentials
	// Secret cannot be read, ...); each member's own error is on the member.
	Errors []string `json:"errors"`
}

// ClusterSummary is the one-line view of the cluster.
type ClusterSummary struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Flavour is the sql package's flavour of the primary, else of the first
	// member that answered: "mariadb", "mysql-8.4", "mysql-8.0", "mysql-5.7".
	Flavour string `json:"flavour"`
	// Version is that server's VERSION().
	Version string `json:"version"`
	// OtherVersions names each member that runs another version, as
	// "POD VERSION" (an upgrade under way); absent when all run Version.
	OtherVersions []string `json:"otherVersions,omitempty"`
	// Primary is the pod of the single writable server that replicates from
	// nobody; "" when there is none or more than one.
	Primary string `json:"primary"`
	// RecordedPrimary is the pod the cluster's record names as its primary,
	// which the write Service (WriteEndpoint) selects; Primary should equal it.
	RecordedPrimary string `json:"recordedPrimary"`
	// RoleChange is the role change the record shows under way, or null:
	// a command at work, or one that died before it finished (Until
	// passed), which the next switchover finishes or undoes.
	RoleChange    *Intent `json:"roleChange"`
	WriteEndpoint string  `json:"writeEndpoint"`
	// Pods counts the members (the StatefulSet's replicas, or the pods found
	// when there are more); ReadyPods those whose pod is Ready.
	Pods      int `json:"pods"`
	ReadyPods int `json:"readyPods"`
	// Replicas counts the members other than the primary; Replicating those
	// whose IO and SQL threads both run.
	Replicas    int `json:"replicas"`
	Replicating int `json:"replicating"`
	// WorstLagSeconds is the highest Seconds_Behind of the replicas; null
	// when some replica's lag is unknown (a thread stopped, unreachable),
	// and then WorstLagPod names that replica.
	WorstLagSeconds *int64 `json:"worstLagSeconds"`
	WorstLagPod     string `json:"worstLagPod"`
	// SemiSync is the primary's semi-synchronous replication in a few
	// words ("waits for 1 of 2 replicas", "fell back to asynchronous", ...);
	// "" when the servers were started without it.
	SemiSync string `json:"semiSync"`
	// SemiSyncAsked is the StatefulSet's semiSync (off, on, strict): what
	// the servers should run with, which SemiSync compares with.
	SemiSyncAsked string `json:"semiSyncAsked"`
	// PrimaryNode is the node of the recorded primary's pod ("" when none);
	// PrimaryNodeCordoned whether that node is cordoned (a drain under way,
	// which waits on the primary), null when the node could not be read
	// (an account without access to nodes).
	PrimaryNode         string `json:"primaryNode"`
	PrimaryNodeCordoned *bool  `json:"primaryNodeCordoned"`
	// Problems are what the replication analysis found wrong, one sentence
	// each (no primary, wrong source, errant transactions, ...).
	Problems []string `json:"problems"`
}

// Role is a member's part in the replication topology.
type Role string

// Roles of a member.
const (
	RolePrimary Role = "primary" // writable, replicates from nobody
	RoleReplica Role = "replica" // has a replication source
	RoleNone    Role = "none"    // read-only and replicates from nobody
	RoleUnknown Role = "unknown" // the server could not be read
)

// Member is one pod and the server in it.
type Member struct {
	Pod     string `json:"pod"`
	Ordinal int    `json:"ordinal"`
	Role    Role   `json:"role"`
	// Ready is the pod's Ready condition (false for a pod that is missing
	// or being deleted).
	Ready           bool `json:"ready"`
	ReadyContainers int  `json:"readyContainers"`
	Containers      int  `json:"containers"`
	// PodState is where the pod is on its way to ready: pending, scheduled,
	// initializing, starting, ready, terminating, failed, or missing.
	PodState  string     `json:"podState"`
	Node      string     `json:"node"`
	CreatedAt *time.Time `json:"createdAt"`

	ServerID   *uint32 `json:"serverID"`
	ServerUUID string  `json:"serverUUID"` // MySQL only
	Version    string  `json:"version"`
	ReadOnly   *bool   `json:"readOnly"`
	// SuperReadOnly is null on MariaDB, which has no such setting.
	SuperReadOnly  *bool   `json:"superReadOnly"`
	BinlogFile     string  `json:"binlogFile"`
	BinlogPosition *uint64 `json:"binlogPosition"`
	// GTIDExecuted is MySQL's @@gtid_executed or MariaDB's @@gtid_current_pos.
	GTIDExecuted string `json:"gtidExecuted"`
	// Replication is null when the server replicates from nobody (or could
	// not be read).
	Replication *Replication `json:"replication"`
	// ErrantTransactions are the transactions this server has and the
	// primary has not, in the flavour's GTID notation; "" when none.
	ErrantTransactions string `json:"errantTransactions"`
	// SemiSync is the server's semi-synchronous replication; null where
	// the server has none (MySQL without its plugins: the cluster does not
	// ask for it).
	SemiSync *sql.SemiSync `json:"semiSync"`
	// BehindTransactions counts the primary's transactions not executed
	// here; null when it cannot be told.
	BehindTransactions *uint64 `json:"behindTransactions"`
	// Error says why some or all of the server's fields are unknown.
	Error string `json:"error"`
}

// Replication is a replica's view of its source.
type Replication struct {
	// Source is the host:port the replica reads from; SourcePod the member
	// that matches it ("" when none does).
	Source    string `json:"source"`
	SourcePod string `json:"sourcePod"`
	// FollowsPrimary is false for a replica of anything but the primary.
	FollowsPrimary bool `json:"followsPrimary"`
	// IOThread and SQLThread are the server's words: Yes, No, Connecting,
	// Preparing; the Running booleans are true only for Yes.
	IOThread   string `json:"ioThread"`
	SQLThread  string `json:"sqlThread"`
	IORunning  bool   `json:"ioRunning"`
	SQLRunning bool   `json:"sqlRunning"`
	// SecondsBehind is null whenever the server does not know (a thread
	// stopped): an unknown lag is never 0.
	SecondsBehind   *int64 `json:"secondsBehind"`
	SQLDelaySeconds int64  `json:"sqlDelaySeconds"`
	// GTIDReceived is what the receiver got from the source (MySQL's
	// Retrieved_Gtid_Set, MariaDB's Gtid_IO_Pos): the relay log counts
	// when the primary is lost.
	GTIDReceived string `json:"gtidReceived"`
	// LastError is the last IO or SQL error in one line; "" when none.
	LastError    string       `json:"lastError"`
	LastIOError  *ThreadError `json:"lastIOError"`
	LastSQLError *ThreadError `json:"lastSQLError"`
}

// ThreadError is the last error of a replication thread.
type ThreadError struct {
	Errno   int    `json:"errno"`
	Message string `json:"message"`
}

// ObjectPresence says whether one of the cluster's objects exists.
type ObjectPresence struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Present bool   `json:"present"`
	// Error is set when presence could not be told (e.g. Forbidden).
	Error string `json:"error"`
}

// Member returns the member of pod, or nil.
func (r *StatusReport) Member(pod string) *Member {
	for i := range r.Members {
		if r.Members[i].Pod == pod {
			return &r.Members[i]
		}
	}
	return nil
}

// Reachable reports whether the member's server could be read.
func (m *Member) Reachable() bool { return m.ServerID != nil }
