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

// rootPassword sets the password of root@localhost and root@'%' (the
// sidecar's first setup of a new primary, configs/scripts/sidecar.sh): the
// password reaches the pod as a file, never through the image's environment
// variables, which its server process would inherit.
func rootPassword() []Statement {
	by := func(host string) Statement {
		return Statement{SQL: "ALTER USER IF EXISTS 'root'@" + host + " IDENTIFIED BY " + textParam(paramRootPassword)}
	}
	return []Statement{{SQL: "SET SESSION sql_log_bin = 0"}, by("'localhost'"), by("'%'")}
}

// InitRootPassword: the official mariadb image stops its temporary server
// with a signal, so both root accounts get their password at once
// (configs/scripts/initdb-root-password.sh, on a server without networking).
func (a *mariadbAdapter) InitRootPassword() []Statement { return rootPassword() }

// InitRootPassword: the official mysql image stops its temporary server
// with mysqladmin as root@localhost and the password of MYSQL_ROOT_PASSWORD,
// which mysqlctl leaves unset (the server would inherit it): with a password
// set on root@localhost here, that stop was refused and every new primary
// crashed once. root@localhost keeps the image's empty password, which only
// the socket inside the server's own container reaches (under
// skip_name_resolve a TCP login from 127.0.0.1 is root@'%'), until the
// sidecar's first setup sets it with rootPassword, before anything else.
func (a *mysqlAdapter) InitRootPassword() []Statement {
	return []Statement{{SQL: "SET SESSION sql_log_bin = 0"},
		{SQL: "ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY " + textParam(paramRootPassword)}}
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
