package sql

import (
	"fmt"
	"strings"
	"time"
)

// mariadbAdapter serves MariaDB 10.5 and later. MariaDB kept the old
// statement and column names (SHOW SLAVE STATUS, CHANGE MASTER TO), has its
// own GTID format (domain-server-sequence) and no super_read_only.
// See https://mariadb.com/kb/en/show-replica-status/ and
// https://mariadb.com/kb/en/gtid/.
type mariadbAdapter struct {
	version Version
}

func (a *mariadbAdapter) Flavour() Flavour { return MariaDB }
func (a *mariadbAdapter) Version() Version { return a.version }

func (a *mariadbAdapter) IdentityQuery() string {
	return "SELECT @@server_id AS server_id, VERSION() AS version, " +
		"@@version_comment AS version_comment, @@read_only AS read_only, @@log_bin AS log_bin, " +
		"@@report_host AS report_host, @@report_port AS report_port, @@hostname AS hostname, " +
		"@@port AS port, @@gtid_binlog_pos AS gtid_binlog_pos, @@gtid_binlog_state AS gtid_binlog_state, " +
		"@@gtid_current_pos AS gtid_current_pos, @@gtid_slave_pos AS gtid_slave_pos, " +
		"@@gtid_strict_mode AS gtid_strict_mode, @@gtid_domain_id AS gtid_domain_id"
}

// BinlogStatusQuery: SHOW MASTER STATUS works on every supported release
// (SHOW BINLOG STATUS is only an alias from 10.5.2).
func (a *mariadbAdapter) BinlogStatusQuery() string { return "SHOW MASTER STATUS" }

// ReplicaStatusQuery shows the default connection; multi-source replication
// is not used by mysqlctl.
func (a *mariadbAdapter) ReplicaStatusQuery() string { return "SHOW SLAVE STATUS" }

func (a *mariadbAdapter) parseIdentity(r row) (*InstanceReport, error) {
	f := &fields{r: r}
	rep := identityCommon(f)
	rep.Flavour = MariaDB
	// read_only is a plain boolean up to 11.x and an enum (OFF, ON, NO_LOCK,
	// NO_LOCK_NO_ADMIN) in newer releases: anything but OFF refuses writes.
	ro := strings.ToUpper(f.str("read_only"))
	rep.ReadOnly = ro != "0" && ro != "OFF" && ro != ""
	strict := f.boolean("gtid_strict_mode")
	domain := uint32(f.uint("gtid_domain_id"))
	rep.GTID = GTIDState{
		BinlogPos:   f.str("gtid_binlog_pos"),
		BinlogState: f.str("gtid_binlog_state"),
		CurrentPos:  f.str("gtid_current_pos"),
		SlavePos:    f.str("gtid_slave_pos"),
		StrictMode:  &strict,
		DomainID:    &domain,
	}
	return rep, f.err("identity of mariadb")
}

func (a *mariadbAdapter) parseBinlogStatus(r row) (*BinlogStatus, error) {
	return parseBinlogStatus(r, false)
}

func (a *mariadbAdapter) parseReplicaStatus(r row) (*ReplicaStatus, error) {
	f := &fields{r: r}
	s := parseReplicaCommon(f, mariadbColumns())
	s.UsingGTID = f.str("Using_Gtid")
	s.AutoPosition = s.UsingGTID != "" && !strings.EqualFold(s.UsingGTID, "No")
	s.GTIDIOPos = f.str("Gtid_IO_Pos")
	return s, f.err("replica status (SHOW SLAVE STATUS)")
}

func (a *mariadbAdapter) ReadOnlyQuery() string { return readOnlyQuery }

// CreateAccounts grants the replicas REPLICATION SLAVE only: MariaDB's
// REPLICATION CLIENT is an alias of BINLOG MONITOR, which they do not need.
// (REPLICATION REPLICA is an alias only from 10.5.1: the old name works
// everywhere.) The probes need SLAVE MONITOR for SHOW SLAVE STATUS (10.5.9
// split it from REPLICATION CLIENT).
func (a *mariadbAdapter) CreateAccounts() []Statement {
	return createAccounts("REPLICATION SLAVE", "SLAVE MONITOR")
}

// RootHostsQuery: under skip_name_resolve, accounts for host names never
// match a login (and REVOKE cannot find them), so only those that can log
// in are listed. See https://mariadb.com/kb/en/grant/#read_only-admin.
func (a *mariadbAdapter) RootHostsQuery() string {
	return "SELECT Host FROM mysql.user WHERE User = 'root' AND " +
		"(@@skip_name_resolve = 0 OR Host = 'localhost' OR Host REGEXP '^[0-9.:%_/]+$')"
}

// RestrictRoot: MariaDB has no super_read_only, and read_only does not stop
// accounts holding READ_ONLY ADMIN, which root holds by default. Without it
// root's writes on a replica fail with error 1290 like any client's.
func (a *mariadbAdapter) RestrictRoot() []Statement {
	return []Statement{{SQL: "REVOKE READ_ONLY ADMIN ON *.* FROM 'root'@" + textParam(paramRootHost)}}
}

// ChangeSource sets gtid_slave_pos first, because MASTER_USE_GTID=slave_pos
// starts from it: the position the replica's data is at (an empty one means
// from the beginning of the source's binary logs; ByOwnGTID its own
// gtid_current_pos, which holds its own writes as a former primary). MariaDB 10.11 refuses a
// MASTER_RETRY_COUNT option (error 1064; newer releases added it): the
// server option master_retry_count in the cnf keeps the replica
// reconnecting (see retryForever).
func (a *mariadbAdapter) ChangeSource(by Positioning) ([]Statement, error) {
	position := "SET GLOBAL gtid_slave_pos = "
	switch by {
	case ByGTID:
		position += textParam(paramGTID)
	case ByOwnGTID:
		position += "@@GLOBAL.gtid_current_pos"
	default:
		return nil, fmt.Errorf("change source: MariaDB replicas are positioned by GTID only")
	}
	opts := append(sourceOptions("MASTER_"), "MASTER_USE_GTID=slave_pos")
	return []Statement{
		{SQL: position},
		{SQL: "CHANGE MASTER TO " + strings.Join(opts, ", ")},
	}, nil
}

// MariaDB accepts REPLICA only from 10.5.1; SLAVE works on every release.
func (a *mariadbAdapter) StartReplica() Statement  { return Statement{SQL: "START SLAVE"} }
func (a *mariadbAdapter) StartIOThread() Statement { return Statement{SQL: "START SLAVE IO_THREAD"} }
func (a *mariadbAdapter) StopReplica() Statement   { return Statement{SQL: "STOP SLAVE"} }
func (a *mariadbAdapter) ResetReplica() Statement  { return Statement{SQL: "RESET SLAVE ALL"} }

// CloneInstance: MariaDB has no CLONE statement; replicas are cloned with
// mariadb-backup instead.
func (a *mariadbAdapter) CloneInstance() []Statement { return nil }
func (a *mariadbAdapter) CloneLocal() []Statement    { return nil }
func (a *mariadbAdapter) CloneStatusQuery() string   { return "" }

// WaitForGTID uses MASTER_GTID_WAIT, which takes fractional seconds:
// 0 when the position is reached, -1 on timeout.
func (a *mariadbAdapter) WaitForGTID(gtid string, timeout time.Duration) Wait {
	return Wait{
		Statement:     Statement{SQL: "SELECT MASTER_GTID_WAIT(?, ?) AS result", Args: []any{gtid, timeout.Seconds()}},
		timeoutResult: -1,
		timeout:       timeout,
	}
}

// WaitForPosition uses MASTER_POS_WAIT: -1 on timeout, NULL when the applier
// is not running.
func (a *mariadbAdapter) WaitForPosition(file string, pos uint64, timeout time.Duration) Wait {
	return Wait{
		Statement:     Statement{SQL: "SELECT MASTER_POS_WAIT(?, ?, ?) AS result", Args: []any{file, pos, wholeSeconds(timeout)}},
		timeoutResult: -1,
		timeout:       timeout,
	}
}
