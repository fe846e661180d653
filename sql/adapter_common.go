package sql

// identityCommon reads the identity columns both flavours' IdentityQuery
// return under the same aliases.
func identityCommon(f *fields) *InstanceReport {
	rep := &InstanceReport{
		ServerID:       uint32(f.uint("server_id")),
		Version:        f.str("version"),
		VersionComment: f.str("version_comment"),
		LogBin:         f.boolean("log_bin"),
		Hostname:       f.str("hostname"),
		ReportHost:     f.str("report_host"),
		Port:           int(f.uint("port")),
	}
	// Replicas connect to report_port when it is set (0 means unset on
	// MariaDB; MySQL defaults it to the server port).
	if rp := f.uint("report_port"); rp > 0 {
		rep.Port = int(rp)
	}
	return rep
}

// readOnlyQuery asks whether a server refuses writes; the probes and the
// donor choice compare its result with 0.
const readOnlyQuery = "SELECT @@global.read_only"

// createAccounts creates mysqlctl's three accounts, for any host ('%': the
// servers run with skip_name_resolve and pods change addresses). IF NOT
// EXISTS makes a rerun after a crash harmless; the bootstrap runs once.
// The admin account gets every privilege: on MariaDB that includes READ_ONLY
// ADMIN, so it can still change roles and write on a read-only replica.
// The replication account must connect with TLS (REQUIRE SSL): a replica
// that tried without it would be refused, never served in plain text. The
// probe account, which the servers' probes log in as, may only read
// replication status (monitorPrivilege): no data, no writes.
//
// The session first turns its binary logging off: CREATE USER ... IDENTIFIED
// BY is binlogged as written, password included, and would then sit in every
// server's binary log until it expires. Replicas get the accounts with the
// rest of the data, through the clone. Every supported release accepts this
// statement (with SUPER, or SYSTEM_VARIABLES_ADMIN / BINLOG ADMIN, which root
// and the admin account hold): https://mariadb.com/kb/en/set-sql_log_bin/,
// https://dev.mysql.com/doc/refman/8.4/en/set-sql-log-bin.html.
func createAccounts(replicationPrivileges, monitorPrivilege string) []Statement {
	admin := textParam(paramAdminUser) + "@'%'"
	repl := textParam(paramReplicationUser) + "@'%'"
	probe := textParam(paramProbeUser) + "@'%'"
	return []Statement{
		{SQL: "SET SESSION sql_log_bin = 0"},
		{SQL: "CREATE USER IF NOT EXISTS " + admin + " IDENTIFIED BY " + textParam(paramAdminPassword)},
		{SQL: "GRANT ALL PRIVILEGES ON *.* TO " + admin + " WITH GRANT OPTION"},
		{SQL: "CREATE USER IF NOT EXISTS " + repl + " IDENTIFIED BY " + textParam(paramReplicationPassword) + " REQUIRE SSL"},
		{SQL: "GRANT " + replicationPrivileges + " ON *.* TO " + repl},
		{SQL: "CREATE USER IF NOT EXISTS " + probe + " IDENTIFIED BY " + textParam(paramProbePassword)},
		{SQL: "GRANT " + monitorPrivilege + " ON *.* TO " + probe},
	}
}

// retryForever is the reconnection count a replica is given: the server
// gives up after that many failed attempts in a row. 0 does not mean
// "forever" on either family: the reconnect loop returns an error on the
// second disconnect in a row when the count is 0 (try_to_reconnect in
// MySQL's rpl_replica.cc and MariaDB's slave.cc, "if (*retry_count >
// retry_count) return 1"). 2^32-1 is accepted on every platform and, at one
// attempt every 10 s, lasts some 1,300 years. MySQL takes it in CHANGE
// REPLICATION SOURCE TO (SOURCE_RETRY_COUNT, whose default fell from 86400
// to 10 in 8.4); MariaDB 10.11 only as the server option
// master_retry_count, which configs/cnf/mariadb/common.cnf sets.
const retryForever = "4294967295"

// sourceOptions are the options of CHANGE MASTER TO / CHANGE REPLICATION
// SOURCE TO that name the source and the login, with the flavour's prefix
// (MASTER_ or SOURCE_). A replica retries a lost connection every 10 s
// instead of the default 60, so it follows a restarted primary quickly.
func sourceOptions(prefix string) []string {
	return []string{
		prefix + "HOST=" + textParam(paramSourceHost),
		prefix + "PORT=" + numberParam(paramSourcePort),
		prefix + "USER=" + textParam(paramReplicationUser),
		prefix + "PASSWORD=" + textParam(paramReplicationPassword),
		prefix + "CONNECT_RETRY=10",
		// TLS, verified against the cluster's CA and the source's name.
		prefix + "SSL=1",
		prefix + "SSL_CA=" + textParam(paramSourceCA),
		prefix + "SSL_VERIFY_SERVER_CERT=1",
	}
}
