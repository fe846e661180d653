package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// The statements of a role change: the sidecar runs some at a server's
// start (is this the recorded primary, may it take writes), mysqlctl's
// switchover and promote run the others. Every server starts read-only
// (its cnf) and only these statements make one writable.

// RoleChanger builds the statements that move the primary role.
type RoleChanger interface {
	// Fence stops every client's writes on a primary: MySQL's
	// super_read_only refuses even accounts with SUPER; MariaDB has no such
	// setting, and its read_only spares only READ_ONLY ADMIN, which
	// mysqlctl takes from root (RestrictRoot) and leaves to its own account.
	Fence() []Statement
	// MakeWritable lifts the fence: the server takes writes.
	MakeWritable() []Statement
	// ServerRoleQuery selects @@server_id and @@global.read_only: the
	// sidecar asks every peer, so two servers are never writable at once.
	ServerRoleQuery() string
	// ServerStartQuery selects when the server started (Unix seconds) and
	// the asking connection's id, which starts again from 1 at every start:
	// the sidecar decides the server's role once per start, and a quick
	// restart can leave the start time within the second it is counted in.
	ServerStartQuery() string
	// ExecutedGTIDQuery selects every transaction the server holds, as a
	// replica asks for them when it rejoins (MariaDB's gtid_current_pos,
	// MySQL's gtid_executed).
	ExecutedGTIDQuery() string
	// OwnGTIDQuery selects what ErrantGTIDQuery compares of a server: MySQL's
	// gtid_executed, MariaDB's gtid_binlog_state (its last GTID of every
	// server in every domain).
	OwnGTIDQuery() string
	// ErrantGTIDQuery selects the transactions of {{own_gtid}} (a server's
	// OwnGTIDQuery) that {{source_gtid}} (a source's ExecutedGTIDQuery)
	// lacks, empty when none; "" where the server finds them itself (see
	// each adapter). It reads no server state: the server's own set must
	// be read before the source's, or a transaction the server received
	// from that source in between would look errant, as it does under a
	// steady stream of writes.
	ErrantGTIDQuery() string
	// ClientSessionsQuery selects the ids of the client connections other
	// than the asking one and those of the users passed as its two
	// arguments (mysqlctl's admin and replication accounts), so a fenced
	// primary's clients learn at once that it stopped taking writes.
	ClientSessionsQuery() Statement
	// KillConnection ends one client connection.
	KillConnection(id uint64) Statement
}

func (a *mariadbAdapter) Fence() []Statement {
	return []Statement{{SQL: "SET GLOBAL read_only = ON"}}
}

func (a *mariadbAdapter) MakeWritable() []Statement {
	return []Statement{{SQL: "SET GLOBAL read_only = OFF"}}
}

// super_read_only implies read_only, and clearing read_only clears it, but
// both are named so that each statement says what it does.
func (a *mysqlAdapter) Fence() []Statement {
	return []Statement{{SQL: "SET GLOBAL super_read_only = ON"}}
}

func (a *mysqlAdapter) MakeWritable() []Statement {
	return []Statement{{SQL: "SET GLOBAL super_read_only = OFF"}, {SQL: "SET GLOBAL read_only = OFF"}}
}

const serverRoleQuery = "SELECT @@server_id, @@global.read_only"

func (a *mariadbAdapter) ServerRoleQuery() string { return serverRoleQuery }
func (a *mysqlAdapter) ServerRoleQuery() string   { return serverRoleQuery }

// ServerStartQuery: MariaDB keeps status variables in information_schema;
// MySQL moved them to performance_schema in 5.7.
func (a *mariadbAdapter) ServerStartQuery() string {
	return "SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE, CONNECTION_ID() FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'"
}

func (a *mysqlAdapter) ServerStartQuery() string {
	return "SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE, CONNECTION_ID() FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Uptime'"
}

// ExecutedGTIDQuery: gtid_current_pos is, per domain, the later of what the
// server wrote itself and what it replicated, which is where a former
// primary stands. https://mariadb.com/kb/en/gtid/#gtid_current_pos
func (a *mariadbAdapter) ExecutedGTIDQuery() string { return "SELECT @@GLOBAL.gtid_current_pos" }
func (a *mysqlAdapter) ExecutedGTIDQuery() string   { return "SELECT @@GLOBAL.gtid_executed" }

// ErrantGTIDQuery: MySQL's GTID auto-position sends a replica what it
// lacks and never asks what the replica holds beyond the source (the source
// refuses only GTIDs of its own server_uuid), so a former primary with
// unsent transactions would replicate on top of them, diverged and silent.
// The sidecar asks this before it points a server at a new source, and a
// new pod before it clones a replica.
// https://dev.mysql.com/doc/refman/8.4/en/replication-gtids-auto-positioning.html
func (a *mysqlAdapter) ErrantGTIDQuery() string {
	return "SELECT GTID_SUBTRACT(" + textParam(paramOwnGTID) + ", " + textParam(paramSourceGTID) + ")"
}

func (a *mysqlAdapter) OwnGTIDQuery() string   { return "SELECT @@GLOBAL.gtid_executed" }
func (a *mariadbAdapter) OwnGTIDQuery() string { return "SELECT @@GLOBAL.gtid_binlog_state" }

// ErrantGTIDQuery on MariaDB lists the entries of a server's
// gtid_binlog_state ({{own_gtid}}) later than anything the source's gtid_current_pos
// ({{source_gtid}}) holds in their domain: a write made here that the
// source never had. gtid_strict_mode stops such a replica's applier, but
// only once the source writes that domain's next GTID; until then it
// replicates, looks healthy and would hand the write to a clone. Per
// domain, as MariaDBGTIDList.Behind counts (a write buried under the
// source's later ones stops replication instead, error 1950). JSON_TABLE
// (10.6+) turns the comma-separated lists into rows.
func (a *mariadbAdapter) ErrantGTIDQuery() string {
	mine, source := mariadbGTIDRows(textParam(paramOwnGTID)), mariadbGTIDRows(textParam(paramSourceGTID))
	return "SELECT IFNULL(GROUP_CONCAT(m.g ORDER BY m.g SEPARATOR ','), '') FROM " + mine + " m WHERE m.g <> '' AND " +
		gtidSeq("m.g") + " > IFNULL((SELECT MAX(" + gtidSeq("s.g") + ") FROM " + source + " s WHERE s.g <> '' AND " +
		gtidDomain("s.g") + " = " + gtidDomain("m.g") + "), 0)"
}

// mariadbGTIDRows is a table of one column g, a row per GTID of list.
func mariadbGTIDRows(list string) string {
	return `JSON_TABLE(CONCAT('["', REPLACE(` + list + `, ',', '","'), '"]'), '$[*]' COLUMNS (g VARCHAR(64) PATH '$'))`
}

func gtidDomain(col string) string { return "SUBSTRING_INDEX(" + col + ", '-', 1)" }
func gtidSeq(col string) string {
	return "CAST(SUBSTRING_INDEX(" + col + ", '-', -1) AS UNSIGNED)"
}

// ClientSessionsQuery leaves out the server's own threads (no user, or
// "system user", "event_scheduler") and mysqlctl's accounts.
func clientSessionsQuery() string {
	return "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() " +
		"AND USER NOT IN (?, ?, '', 'system user', 'event_scheduler', 'unauthenticated user')"
}

func (a *mariadbAdapter) ClientSessionsQuery() Statement {
	return Statement{SQL: clientSessionsQuery()}
}
func (a *mysqlAdapter) ClientSessionsQuery() Statement { return Statement{SQL: clientSessionsQuery()} }

func (a *mariadbAdapter) KillConnection(id uint64) Statement { return killConnection(id) }
func (a *mysqlAdapter) KillConnection(id uint64) Statement   { return killConnection(id) }

func killConnection(id uint64) Statement {
	return Statement{SQL: "KILL CONNECTION " + strconv.FormatUint(id, 10)}
}

// Fill puts values in place of a pod statement's named placeholders, so
// mysqlctl can run the same statements the pod scripts run: {{name}}
// becomes a quoted string literal, {{name:int}} an unsigned integer. A
// placeholder without a value, or a malformed one, is an error.
func Fill(s Statement, values map[string]string) (Statement, error) {
	var err error
	out := placeholderRE.ReplaceAllStringFunc(s.SQL, func(m string) string {
		name := m[2 : len(m)-2]
		if !validPlaceholder.MatchString(name) {
			err = fmt.Errorf("malformed placeholder %s", m)
			return m
		}
		name, isInt := strings.CutSuffix(name, ":int")
		v, ok := values[name]
		if !ok {
			if err == nil {
				err = fmt.Errorf("no value for placeholder %s", m)
			}
			return m
		}
		if isInt {
			if _, perr := strconv.ParseUint(v, 10, 64); perr != nil {
				err = fmt.Errorf("placeholder %s needs an unsigned integer", m)
				return m
			}
			return v
		}
		return QuoteString(v)
	})
	if err != nil {
		return Statement{}, fmt.Errorf("%s: %w", s.summary(), err)
	}
	return Statement{SQL: out, Args: s.Args}, nil
}

// CanMovePrimary says whether servers of a's flavour can change source by
// GTID, which a switchover or a promote needs.
func CanMovePrimary(a Adapter) error {
	if a.Flavour() == MySQL57 {
		return fmt.Errorf("MySQL 5.7 replicas are positioned by binary log file and position (gtid_mode OFF), so the primary cannot move between servers")
	}
	return nil
}

// Source names the server a replica is pointed at, by the values of
// ChangeSource's placeholders.
type Source struct {
	Host, User, Password string
	Port                 int
	// CA is the path, in the replica's pod, of the CA certificate the
	// source's certificate is verified against.
	CA string
}

// PointAt is the whole change of source of a running replica or a former
// primary: stop, forget the old source, point at src from where the server
// stands once stopped (ByOwnGTID). MySQL 5.7
// (positioned by file and position, gtid_mode OFF) has no such change.
func PointAt(a Adapter, src Source) ([]Statement, error) {
	if err := CanMovePrimary(a); err != nil {
		return nil, err
	}
	change, err := a.ChangeSource(ByOwnGTID)
	if err != nil {
		return nil, err
	}
	values := map[string]string{
		paramSourceHost: src.Host, paramSourcePort: strconv.Itoa(src.Port),
		paramReplicationUser: src.User, paramReplicationPassword: src.Password,
		paramSourceCA: src.CA,
	}
	out := []Statement{a.StopReplica(), a.ResetReplica()}
	for _, s := range change {
		filled, err := Fill(s, values)
		if err != nil {
			return nil, err
		}
		out = append(out, filled)
	}
	return append(out, a.StartReplica()), nil
}
