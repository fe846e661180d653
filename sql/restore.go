package sql

// Statements a restored primary runs once, on a temporary server started
// on the prepared backup before the real one (configs/scripts/restore.sh).

const (
	paramRootPassword = "root_password"
)

// resetPasswords gives the accounts of a restored backup the new cluster's
// passwords: its grant tables are the backed-up cluster's. FLUSH
// PRIVILEGES loads them on a server started without grant tables, and the
// session writes no binary log, so no password reaches one.
func resetPasswords() []Statement {
	by := func(user, host, param string) Statement {
		return Statement{SQL: "ALTER USER IF EXISTS " + user + "@" + host + " IDENTIFIED BY " + textParam(param)}
	}
	return []Statement{
		{SQL: "SET SESSION sql_log_bin = 0"},
		{SQL: "FLUSH PRIVILEGES"},
		by("'root'", "'%'", paramRootPassword),
		by("'root'", "'localhost'", paramRootPassword),
		by(textParam(paramAdminUser), "'%'", paramAdminPassword),
		by(textParam(paramReplicationUser), "'%'", paramReplicationPassword),
		by(textParam(paramProbeUser), "'%'", paramProbePassword),
	}
}

// rootPassword sets root's password on a server the image initialised with
// an empty one and no networking (configs/scripts/initdb-root-password.sh):
// the password reaches the server container as a file, never through the
// image's environment variables, which its server process would inherit.
func rootPassword() []Statement {
	by := func(host string) Statement {
		return Statement{SQL: "ALTER USER IF EXISTS 'root'@" + host + " IDENTIFIED BY " + textParam(paramRootPassword)}
	}
	return []Statement{{SQL: "SET SESSION sql_log_bin = 0"}, by("'localhost'"), by("'%'")}
}

// ResetPasswords is the same on every flavour.
func (a *mariadbAdapter) ResetPasswords() []Statement { return resetPasswords() }
func (a *mysqlAdapter) ResetPasswords() []Statement   { return resetPasswords() }

// RestoreGTID starts a restored MariaDB primary's binary log at the GTID of
// the backup's last transaction ({{gtid}}), so its next transaction
// continues that history: the backup holds no binary log, and without this
// the next one would be 0-100-1 again. gtid_slave_pos, carried by a backup
// of a replica, is emptied: the restored server replicates from nobody.
// https://mariadb.com/kb/en/gtid/#gtid_binlog_state
func (a *mariadbAdapter) RestoreGTID() []Statement {
	return []Statement{
		{SQL: "RESET MASTER"},
		{SQL: "SET GLOBAL gtid_slave_pos = ''"},
		{SQL: "SET GLOBAL gtid_binlog_state = " + textParam(paramGTID)},
	}
}

// RestoreGTID: MySQL 5.7 replicas here are positioned by file and position;
// a restored MySQL primary starts a new binary log.
func (a *mysqlAdapter) RestoreGTID() []Statement { return nil }
