package sql

import (
	"math"
	"time"
)

// Adapter knows one flavour's statements and column names. It is chosen once
// per connection by Open (or NewAdapter) and builds statements as data: no
// method talks to a server.
type Adapter interface {
	RoleChanger
	Flavour() Flavour
	Version() Version

	// IdentityQuery selects the server's identity and GTID variables, each
	// under a fixed alias.
	IdentityQuery() string
	// BinlogStatusQuery shows the server's own binary log coordinates.
	BinlogStatusQuery() string
	// ReplicaStatusQuery shows the replica status; no row means not a replica.
	ReplicaStatusQuery() string
	// ReadOnlyQuery selects @@global.read_only: 0 on a writable server.
	ReadOnlyQuery() string

	// The write side builds the statements the pod scripts run, with named
	// placeholders for the values only the pod knows (see PodStatements).

	// CreateAccounts creates mysqlctl's admin account (every privilege, with
	// GRANT OPTION) and the account replicas log in with: {{admin_user}},
	// {{admin_password}}, {{replication_user}}, {{replication_password}}.
	CreateAccounts() []Statement
	// RootHostsQuery selects the Host of every root account that can log in,
	// and RestrictRoot takes from root@{{root_host}} what lets it write on a
	// read-only server. Both are empty where read-only already stops root.
	RootHostsQuery() string
	RestrictRoot() []Statement
	// ChangeSource points a stopped replica at {{source_host}}:{{source_port}}
	// as {{replication_user}}, positioned as by says.
	ChangeSource(by Positioning) ([]Statement, error)
	StartReplica() Statement
	// StartIOThread starts only the thread that reads the source's binary
	// log: the sidecar restarts it after a connection error, never the
	// applier, which stops on data errors a human must look at.
	StartIOThread() Statement
	StopReplica() Statement
	// ResetReplica forgets the source and the replica's relay logs.
	ResetReplica() Statement
	// ResetPasswords gives a restored backup's accounts the new cluster's
	// passwords ({{root_password}}, {{admin_password}}, {{replication_password}});
	// RestoreGTID (MariaDB; nil elsewhere) continues the backup's GTID
	// history in a new binary log ({{gtid}}).
	ResetPasswords() []Statement
	RestoreGTID() []Statement
	// InitRootPassword sets root's password ({{root_password}}) while the
	// image initialises a new primary's datadir; RootPassword sets it on
	// every root account once the server runs (see each adapter).
	InitRootPassword() []Statement
	// CloneInstance copies {{donor_host}}:{{donor_port}} into {{clone_dir}}
	// with the CLONE plugin, logging in as the admin account; nil where the
	// server has no CLONE statement.
	CloneInstance() []Statement
	// CloneLocal copies the server's own data into {{clone_dir}}, a
	// directory it creates, and CloneStatusQuery selects the binary log
	// file, position and GTID set that copy holds: the hot backup of a
	// flavour whose image has no backup tool. Both empty where the server
	// has no CLONE statement.
	CloneLocal() []Statement
	CloneStatusQuery() string

	// WaitForGTID builds the wait until the replica has executed gtid (a
	// MySQL GTID set, or a MariaDB GTID position); Conn.WaitForGTID runs it.
	WaitForGTID(gtid string, timeout time.Duration) Wait
	// WaitForPosition builds the wait until the replica has executed the
	// source's binary log up to file and pos.
	WaitForPosition(file string, pos uint64, timeout time.Duration) Wait

	parseIdentity(r row) (*InstanceReport, error)
	parseBinlogStatus(r row) (*BinlogStatus, error)
	parseReplicaStatus(r row) (*ReplicaStatus, error)
}

// ServerInfo is what NewAdapter needs to know about a server.
type ServerInfo struct {
	Version        string // SELECT VERSION()
	VersionComment string // @@version_comment
}

// NewAdapter returns the adapter for the server described by info.
func NewAdapter(info ServerInfo) (Adapter, error) {
	flavour, v, err := DetectFlavour(info.Version, info.VersionComment)
	if err != nil {
		return nil, err
	}
	if flavour == MariaDB {
		return &mariadbAdapter{version: v}, nil
	}
	return &mysqlAdapter{flavour: flavour, version: v, syn: mysqlSyntaxFor(v)}, nil
}

// Positioning says where a new replica starts reading its source's log.
type Positioning int

const (
	// ByGTID: MySQL's SOURCE_AUTO_POSITION=1 needs no value; MariaDB first
	// sets gtid_slave_pos to {{gtid}}, then uses MASTER_USE_GTID=slave_pos.
	ByGTID Positioning = iota
	// ByFilePosition starts at {{binlog_file}} and {{binlog_pos}} of the
	// source's binary log (MySQL only).
	ByFilePosition
	// ByOwnGTID repoints a server from where it stands when the statement
	// runs (after STOP): MariaDB sets gtid_slave_pos to its own
	// gtid_current_pos inside the statement, MySQL auto-positions. A
	// position read by a separate query first goes stale when someone else
	// (the pod's sidecar, another command) starts the replica in between,
	// and setting it would replay what was applied since: a duplicate
	// transaction, MariaDB's error 1950.
	ByOwnGTID
)

// Wait is a SELECT of a wait function. It returns one integer: timeoutResult
// when the deadline passed, a negative number or NULL when it cannot wait
// (not a replica, applier stopped), anything else when the wait is over.
type Wait struct {
	Statement
	timeoutResult int64
	timeout       time.Duration
}

// wholeSeconds rounds up because MySQL's wait functions take whole seconds
// and a zero timeout would mean "do not wait" or "wait forever".
func wholeSeconds(d time.Duration) int64 {
	s := int64(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}
