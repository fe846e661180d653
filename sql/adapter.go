package sql

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Adapter knows one flavour's statements and column names. It is chosen once
// per connection by Open (or NewAdapter) and builds statements as data: no
// method talks to a server.
type Adapter interface {
	Flavour() Flavour
	Version() Version

	// IdentityQuery selects the server's identity and GTID variables, each
	// under a fixed alias.
	IdentityQuery() string
	// BinlogStatusQuery shows the server's own binary log coordinates.
	BinlogStatusQuery() string
	// ReplicaStatusQuery shows the replica status; no row means not a replica.
	ReplicaStatusQuery() string

	// CreateReplicationUser creates (or re-keys) the account replicas log in
	// with and grants it only REPLICATION SLAVE.
	CreateReplicationUser(user, host, password string) []Statement
	// ChangeSource points a stopped replica at a source.
	ChangeSource(o SourceOptions) ([]Statement, error)
	StartReplica() Statement
	StopReplica() Statement
	// StopReplicaSQLThread stops only the applier; the receiver keeps reading.
	StopReplicaSQLThread() Statement
	// ResetReplica forgets the source and the replica's relay logs.
	ResetReplica() Statement
	// SetReadOnly turns read-only on or off, including super_read_only where
	// the flavour has it, in the order the server accepts.
	SetReadOnly(on bool) []Statement
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
	SQLMode        string // @@SESSION.sql_mode: decides how literals are escaped
}

// NewAdapter returns the adapter for the server described by info.
func NewAdapter(info ServerInfo) (Adapter, error) {
	flavour, v, err := DetectFlavour(info.Version, info.VersionComment)
	if err != nil {
		return nil, err
	}
	quote := QuoteString
	if strings.Contains(strings.ToUpper(info.SQLMode), "NO_BACKSLASH_ESCAPES") {
		quote = quoteStringNoBackslash
	}
	if flavour == MariaDB {
		return &mariadbAdapter{version: v, quote: quote}, nil
	}
	return &mysqlAdapter{flavour: flavour, version: v, syn: mysqlSyntaxFor(v), quote: quote}, nil
}

// SourceOptions says where a replica replicates from and how it positions.
type SourceOptions struct {
	Host     string
	Port     int
	User     string
	Password string
	// UseGTID positions by GTID: MySQL SOURCE_AUTO_POSITION=1, MariaDB
	// MASTER_USE_GTID=slave_pos. Otherwise LogFile and LogPos say where in the
	// source's binary log to start (the legacy 5.7 path).
	UseGTID bool
	LogFile string
	LogPos  uint64
	// GTIDSlavePos (MariaDB, with UseGTID) is written to gtid_slave_pos first
	// when not nil: the position the replica's data is at. "" means from the
	// beginning of the source's binary logs.
	GTIDSlavePos *string
}

func (o SourceOptions) validate() error {
	var errs []error
	if o.Host == "" {
		errs = append(errs, errors.New("source host is empty"))
	}
	if o.Port <= 0 || o.Port > 65535 {
		errs = append(errs, fmt.Errorf("source port %d is out of range", o.Port))
	}
	if o.User == "" {
		errs = append(errs, errors.New("replication user is empty"))
	}
	if !o.UseGTID && (o.LogFile == "" || o.LogPos == 0) {
		errs = append(errs, errors.New("file/position replication needs LogFile and LogPos"))
	}
	if !o.UseGTID && o.GTIDSlavePos != nil {
		errs = append(errs, errors.New("GTIDSlavePos needs UseGTID"))
	}
	return errors.Join(errs...)
}

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
