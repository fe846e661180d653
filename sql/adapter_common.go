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

// createAccounts creates mysqlctl's two accounts, for any host ('%': the
// servers run with skip_name_resolve and pods change addresses). IF NOT
// EXISTS makes a rerun after a crash harmless; the bootstrap runs once.
// The admin account gets every privilege: on MariaDB that includes READ_ONLY
// ADMIN, so it can still change roles and write on a read-only replica.
func createAccounts(replicationPrivileges string) []Statement {
	admin := textParam(paramAdminUser) + "@'%'"
	repl := textParam(paramReplicationUser) + "@'%'"
	return []Statement{
		{SQL: "CREATE USER IF NOT EXISTS " + admin + " IDENTIFIED BY " + textParam(paramAdminPassword)},
		{SQL: "GRANT ALL PRIVILEGES ON *.* TO " + admin + " WITH GRANT OPTION"},
		{SQL: "CREATE USER IF NOT EXISTS " + repl + " IDENTIFIED BY " + textParam(paramReplicationPassword)},
		{SQL: "GRANT " + replicationPrivileges + " ON *.* TO " + repl},
	}
}

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
	}
}
