package sql

import (
	"fmt"
	"strings"
	"time"
)

// mysqlAdapter serves MySQL 5.7, 8.0 and 8.4 (and 8.1–8.3, 9.x). The syntax
// moved from MASTER/SLAVE to SOURCE/REPLICA in steps during 8.0 and the old
// forms were removed in 8.4, so the words are chosen from the exact version.
type mysqlAdapter struct {
	flavour Flavour
	version Version
	syn     mysqlSyntax
}

// mysqlSyntax is the version-dependent vocabulary of one MySQL server.
type mysqlSyntax struct {
	replicaStatus string         // SHOW REPLICA STATUS | SHOW SLAVE STATUS
	columns       replicaColumns // names that statement returns
	binlogStatus  string         // SHOW BINARY LOG STATUS | SHOW MASTER STATUS
	changeSource  string         // CHANGE REPLICATION SOURCE TO | CHANGE MASTER TO
	opt           string         // option prefix: SOURCE_ | MASTER_
	publicKey     string         // GET_SOURCE_PUBLIC_KEY=1 | GET_MASTER_PUBLIC_KEY=1 | ""
	replica       string         // START/STOP/RESET REPLICA | SLAVE
	posWait       string         // SOURCE_POS_WAIT | MASTER_POS_WAIT
}

// mysqlSyntaxFor picks the newest form v accepts, following the MySQL 8.0
// release notes: SHOW REPLICA STATUS and START/STOP/RESET REPLICA in 8.0.22,
// CHANGE REPLICATION SOURCE TO in 8.0.23, SOURCE_POS_WAIT in 8.0.26, SHOW
// BINARY LOG STATUS in 8.2.0. 8.4 removed the old forms.
func mysqlSyntaxFor(v Version) mysqlSyntax {
	s := mysqlSyntax{
		replicaStatus: "SHOW SLAVE STATUS", columns: slaveColumns(),
		binlogStatus: "SHOW MASTER STATUS", changeSource: "CHANGE MASTER TO",
		opt: "MASTER_", replica: "SLAVE", posWait: "MASTER_POS_WAIT",
	}
	if v.AtLeast(8, 0, 0) {
		// caching_sha2_password needs TLS or the source's RSA key; fetching the
		// key lets replication work without certificates.
		s.publicKey = "GET_MASTER_PUBLIC_KEY=1"
	}
	if v.AtLeast(8, 0, 22) {
		s.replicaStatus, s.columns, s.replica = "SHOW REPLICA STATUS", sourceColumns(), "REPLICA"
	}
	if v.AtLeast(8, 0, 23) {
		s.changeSource, s.opt, s.publicKey = "CHANGE REPLICATION SOURCE TO", "SOURCE_", "GET_SOURCE_PUBLIC_KEY=1"
	}
	if v.AtLeast(8, 0, 26) {
		s.posWait = "SOURCE_POS_WAIT"
	}
	if v.AtLeast(8, 2, 0) {
		s.binlogStatus = "SHOW BINARY LOG STATUS"
	}
	return s
}

func (a *mysqlAdapter) Flavour() Flavour { return a.flavour }
func (a *mysqlAdapter) Version() Version { return a.version }

// IdentityQuery reads GLOBAL gtid_executed explicitly: on 5.7 the bare name
// can resolve to the deprecated session variable.
func (a *mysqlAdapter) IdentityQuery() string {
	return "SELECT @@server_id AS server_id, @@server_uuid AS server_uuid, VERSION() AS version, " +
		"@@version_comment AS version_comment, @@read_only AS read_only, " +
		"@@super_read_only AS super_read_only, @@log_bin AS log_bin, " +
		"@@report_host AS report_host, @@report_port AS report_port, @@hostname AS hostname, " +
		"@@port AS port, @@gtid_mode AS gtid_mode, @@GLOBAL.gtid_executed AS gtid_executed, " +
		"@@GLOBAL.gtid_purged AS gtid_purged"
}

func (a *mysqlAdapter) BinlogStatusQuery() string  { return a.syn.binlogStatus }
func (a *mysqlAdapter) ReplicaStatusQuery() string { return a.syn.replicaStatus }

func (a *mysqlAdapter) parseIdentity(r row) (*InstanceReport, error) {
	f := &fields{r: r}
	rep := identityCommon(f)
	rep.Flavour = a.flavour
	rep.ServerUUID = f.str("server_uuid")
	superRO := f.boolean("super_read_only")
	rep.SuperReadOnly = &superRO
	rep.GTID = GTIDState{
		Mode:     f.str("gtid_mode"),
		Executed: normalizeGTIDText(f.str("gtid_executed")),
		Purged:   normalizeGTIDText(f.str("gtid_purged")),
	}
	rep.ReadOnly = f.boolean("read_only")
	return rep, f.err("identity of " + string(a.flavour))
}

func (a *mysqlAdapter) parseBinlogStatus(r row) (*BinlogStatus, error) {
	return parseBinlogStatus(r, true)
}

func (a *mysqlAdapter) parseReplicaStatus(r row) (*ReplicaStatus, error) {
	f := &fields{r: r}
	s := parseReplicaCommon(f, a.syn.columns)
	s.AutoPosition = f.boolean("Auto_Position")
	s.RetrievedGTIDSet = normalizeGTIDText(f.str("Retrieved_Gtid_Set"))
	s.ExecutedGTIDSet = normalizeGTIDText(f.str("Executed_Gtid_Set"))
	if s.LastIOError != nil {
		s.LastIOError.Time = f.str("Last_IO_Error_Timestamp")
	}
	if s.LastSQLError != nil {
		s.LastSQLError.Time = f.str("Last_SQL_Error_Timestamp")
	}
	return s, f.err("replica status (" + a.syn.replicaStatus + ")")
}

func (a *mysqlAdapter) ReadOnlyQuery() string { return readOnlyQuery }

// CreateAccounts grants the replicas REPLICATION SLAVE and REPLICATION
// CLIENT, the privileges' names on every MySQL release (8.4 still calls them
// that). REPLICATION CLIENT is all the probes need, for SHOW REPLICA STATUS.
func (a *mysqlAdapter) CreateAccounts() []Statement {
	return createAccounts("REPLICATION SLAVE, REPLICATION CLIENT", "REPLICATION CLIENT")
}

// RootHostsQuery and RestrictRoot are empty: super_read_only (in every
// replica's cnf) refuses root's writes already.
func (a *mysqlAdapter) RootHostsQuery() string    { return "" }
func (a *mysqlAdapter) RestrictRoot() []Statement { return nil }

// ChangeSource fetches the source's RSA key from 8.0 on (publicKey), which
// caching_sha2_password needs when replication runs without TLS, and never
// lets the replica give up reconnecting (retryForever): 8.4 stops after 10
// failed attempts by default, so a primary down for two minutes would leave
// every replica stopped. See
// https://dev.mysql.com/doc/refman/8.4/en/change-replication-source-to.html.
func (a *mysqlAdapter) ChangeSource(by Positioning) ([]Statement, error) {
	p := a.syn.opt
	opts := append(sourceOptions(p), p+"RETRY_COUNT="+retryForever)
	switch by {
	case ByGTID, ByOwnGTID:
		opts = append(opts, p+"AUTO_POSITION=1")
	case ByFilePosition:
		opts = append(opts, p+"LOG_FILE="+textParam(paramBinlogFile), p+"LOG_POS="+numberParam(paramBinlogPos))
	default:
		return nil, fmt.Errorf("change source: unknown positioning %d", by)
	}
	if a.syn.publicKey != "" {
		opts = append(opts, a.syn.publicKey)
	}
	return []Statement{{SQL: a.syn.changeSource + " " + strings.Join(opts, ", ")}}, nil
}

func (a *mysqlAdapter) StartReplica() Statement { return Statement{SQL: "START " + a.syn.replica} }

// StartIOThread: START REPLICA IO_THREAD from 8.0.22, START SLAVE before.
func (a *mysqlAdapter) StartIOThread() Statement {
	return Statement{SQL: "START " + a.syn.replica + " IO_THREAD"}
}

func (a *mysqlAdapter) StopReplica() Statement { return Statement{SQL: "STOP " + a.syn.replica} }

func (a *mysqlAdapter) ResetReplica() Statement {
	return Statement{SQL: "RESET " + a.syn.replica + " ALL"}
}

// CloneInstance uses the CLONE plugin (8.0.17+), which the donor must have
// loaded too. The receiving server must list the donor in
// clone_valid_donor_list ({{valid_donors}}, "host:port") first. REQUIRE
// SSL: the data set, and the admin password the recipient logs in with,
// travel only encrypted, and the recipient's clone_ssl_ca (given where
// clone.sh starts it) makes it verify the donor's certificate. See
// https://dev.mysql.com/doc/refman/8.4/en/clone.html and
// https://dev.mysql.com/doc/refman/8.4/en/clone-plugin-remote.html.
func (a *mysqlAdapter) CloneInstance() []Statement {
	if !a.version.AtLeast(8, 0, 17) {
		return nil
	}
	from := textParam(paramAdminUser) + "@" + textParam(paramDonorHost) + ":" + numberParam(paramDonorPort)
	return []Statement{
		{SQL: "SET GLOBAL clone_valid_donor_list = " + textParam(paramValidDonors)},
		{SQL: "CLONE INSTANCE FROM " + from + " IDENTIFIED BY " + textParam(paramAdminPassword) +
			" DATA DIRECTORY = " + textParam(paramCloneDir) + " REQUIRE SSL"},
	}
}

// CloneLocal: CLONE LOCAL needs BACKUP_ADMIN (the admin account has every
// privilege) and writes a directory the server can start on as it is; the
// clone's position is in performance_schema.clone_status, which keeps the
// server's last clone operation.
// https://dev.mysql.com/doc/refman/8.4/en/clone-plugin-local.html
// https://dev.mysql.com/doc/refman/8.4/en/performance-schema-clone-status-table.html
func (a *mysqlAdapter) CloneLocal() []Statement {
	if !a.version.AtLeast(8, 0, 17) {
		return nil
	}
	return []Statement{{SQL: "CLONE LOCAL DATA DIRECTORY = " + textParam(paramCloneDir)}}
}

func (a *mysqlAdapter) CloneStatusQuery() string {
	if !a.version.AtLeast(8, 0, 17) {
		return ""
	}
	return "SELECT BINLOG_FILE, BINLOG_POSITION, REPLACE(GTID_EXECUTED, '\\n', '') FROM performance_schema.clone_status WHERE STATE = 'Completed' ORDER BY ID DESC LIMIT 1"
}

// WaitForGTID uses WAIT_FOR_EXECUTED_GTID_SET: 0 when the set is executed,
// 1 on timeout.
func (a *mysqlAdapter) WaitForGTID(gtid string, timeout time.Duration) Wait {
	return Wait{
		Statement:     Statement{SQL: "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS result", Args: []any{gtid, wholeSeconds(timeout)}},
		timeoutResult: 1,
		timeout:       timeout,
	}
}

// WaitForPosition uses SOURCE_POS_WAIT (MASTER_POS_WAIT before 8.0.26, and
// removed in 8.4): -1 on timeout, NULL when the applier is not running.
func (a *mysqlAdapter) WaitForPosition(file string, pos uint64, timeout time.Duration) Wait {
	return Wait{
		Statement:     Statement{SQL: "SELECT " + a.syn.posWait + "(?, ?, ?) AS result", Args: []any{file, pos, wholeSeconds(timeout)}},
		timeoutResult: -1,
		timeout:       timeout,
	}
}
