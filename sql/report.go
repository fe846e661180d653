package sql

// InstanceReport is what one server says about itself: identity, role
// settings, binary log, GTID state and, when it replicates, its replica
// status. Fields a flavour does not have are nil or empty and omitted from
// JSON, never reported as a false or zero they are not.
type InstanceReport struct {
	// Name is the Target name the report was read through (e.g. "mysql-0").
	Name           string  `json:"name"`
	Flavour        Flavour `json:"flavour"`
	Version        string  `json:"version"`
	VersionComment string  `json:"versionComment,omitempty"`
	ServerID       uint32  `json:"serverId"`
	// ServerUUID is MySQL's @@server_uuid; MariaDB has none.
	ServerUUID string `json:"serverUuid,omitempty"`
	// Hostname and ReportHost are what replicas' source host is compared with.
	Hostname   string `json:"hostname,omitempty"`
	ReportHost string `json:"reportHost,omitempty"`
	// Port is the port replicas connect to: @@report_port when set, else @@port.
	Port     int  `json:"port,omitempty"`
	ReadOnly bool `json:"readOnly"`
	// SuperReadOnly is nil on MariaDB, which has no such setting.
	SuperReadOnly *bool `json:"superReadOnly,omitempty"`
	LogBin        bool  `json:"logBin"`
	// Binlog is the server's own binary log position; nil when log_bin is off.
	Binlog *BinlogStatus `json:"binlog,omitempty"`
	GTID   GTIDState     `json:"gtid"`
	// Replica is nil when the server is not configured as a replica.
	Replica *ReplicaStatus `json:"replica,omitempty"`
	// SemiSync is nil when the server has no semi-sync variables.
	SemiSync *SemiSync `json:"semiSync,omitempty"`
}

// IsReplica reports whether the server has a replication source configured.
func (r *InstanceReport) IsReplica() bool { return r.Replica != nil }

// Writable reports whether ordinary clients can write: read_only is off.
func (r *InstanceReport) Writable() bool { return !r.ReadOnly }

// GTIDState holds the GTID variables of either flavour; the other flavour's
// fields stay empty.
type GTIDState struct {
	// MySQL: @@gtid_mode, @@global.gtid_executed, @@global.gtid_purged.
	Mode     string `json:"mode,omitempty"`
	Executed string `json:"executed,omitempty"`
	Purged   string `json:"purged,omitempty"`
	// MariaDB: @@gtid_binlog_pos (written to the own binlog), @@gtid_current_pos
	// (last applied or written per domain), @@gtid_slave_pos (last replicated).
	BinlogPos string `json:"binlogPos,omitempty"`
	// BinlogState is @@gtid_binlog_state: the last GTID of every domain and
	// server id in the binary log, so a write of this server stays listed
	// after replicated transactions of another server follow it in the same
	// domain (errant transactions are found with it).
	BinlogState string  `json:"binlogState,omitempty"`
	CurrentPos  string  `json:"currentPos,omitempty"`
	SlavePos    string  `json:"slavePos,omitempty"`
	StrictMode  *bool   `json:"strictMode,omitempty"`
	DomainID    *uint32 `json:"domainId,omitempty"`
}

// BinlogStatus is a server's own binary log coordinates (SHOW MASTER STATUS,
// SHOW BINARY LOG STATUS on MySQL 8.2+).
type BinlogStatus struct {
	File     string `json:"file"`
	Position uint64 `json:"position"`
	// ExecutedGTIDSet is MySQL's Executed_Gtid_Set column; MariaDB has none.
	ExecutedGTIDSet string `json:"executedGtidSet,omitempty"`
}

// ThreadState is a replication thread's Running column: "Yes", "No",
// "Connecting" (MySQL and MariaDB) or "Preparing" (MariaDB).
type ThreadState string

// Running reports whether the thread is running and connected.
func (s ThreadState) Running() bool { return s == "Yes" }

// ThreadError is the last error of a replication thread.
type ThreadError struct {
	Errno   int    `json:"errno"`
	Message string `json:"message"`
	// Time is Last_*_Error_Timestamp as the server prints it ("240315 10:01:02");
	// MariaDB does not record it.
	Time string `json:"time,omitempty"`
}

// ReplicaStatus is a replica's view of its source, from SHOW REPLICA STATUS
// or SHOW SLAVE STATUS, with the flavour's column names mapped to one set.
type ReplicaStatus struct {
	SourceHost     string `json:"sourceHost"`
	SourcePort     int    `json:"sourcePort"`
	SourceUser     string `json:"sourceUser"`
	SourceServerID uint32 `json:"sourceServerId,omitempty"`
	SourceUUID     string `json:"sourceUuid,omitempty"`

	IOThread  ThreadState `json:"ioThread"`
	SQLThread ThreadState `json:"sqlThread"`
	IOState   string      `json:"ioState,omitempty"`
	SQLState  string      `json:"sqlState,omitempty"`

	// Received: the source binlog file and position the IO thread has read.
	SourceLogFile    string `json:"sourceLogFile"`
	ReadSourceLogPos uint64 `json:"readSourceLogPos"`
	// Executed: the source binlog file and position the SQL thread has applied.
	RelaySourceLogFile string `json:"relaySourceLogFile"`
	ExecSourceLogPos   uint64 `json:"execSourceLogPos"`

	// SecondsBehind is nil whenever a thread is stopped or the server says
	// NULL: an unknown lag is never reported as 0.
	SecondsBehind *int64 `json:"secondsBehind"`
	SQLDelay      int64  `json:"sqlDelay"`

	LastIOError  *ThreadError `json:"lastIOError,omitempty"`
	LastSQLError *ThreadError `json:"lastSQLError,omitempty"`

	// AutoPosition is true when the replica positions by GTID: MySQL
	// Auto_Position=1, MariaDB Using_Gtid other than No.
	AutoPosition bool `json:"autoPosition"`
	// UsingGTID is MariaDB's Using_Gtid as printed (No, Slave_Pos, Current_Pos).
	UsingGTID string `json:"usingGtid,omitempty"`
	// MySQL: the GTIDs received and executed. MariaDB: Gtid_IO_Pos, received.
	RetrievedGTIDSet string `json:"retrievedGtidSet,omitempty"`
	ExecutedGTIDSet  string `json:"executedGtidSet,omitempty"`
	GTIDIOPos        string `json:"gtidIoPos,omitempty"`
}

// Replicating reports whether both replication threads are running.
func (s *ReplicaStatus) Replicating() bool {
	return s.IOThread.Running() && s.SQLThread.Running()
}
