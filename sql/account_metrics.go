package sql

import (
	"crypto/sha1" // mysql_native_password's hash is SHA1(SHA1(password)) by definition
	"encoding/hex"
	"strings"
)

// metricsConnections caps the exporter's account: it holds one connection
// a scrape, and a stuck scrape must not take the servers' connections.
const metricsConnections = "3"

// MetricsAccount creates the metrics exporter's account, or gives an
// existing one password, with what the exporter reads and nothing more:
// PROCESS (the process list, InnoDB status) and the replication and binary
// log status privilege of the flavour. It may SELECT nothing: the default
// collectors read status and variables, which need no grant.
//
// Unlike the bootstrap's accounts (createAccounts) these statements are
// binary-logged, so that every replica gets the account: the password must
// not be in the binary log as written. MySQL writes CREATE USER and ALTER
// USER to it with the password's hash in place of the password
// (https://dev.mysql.com/doc/refman/8.4/en/password-logging.html); MariaDB
// writes them as given, so it is given the mysql_native_password hash
// (IDENTIFIED BY PASSWORD, https://mariadb.com/kb/en/create-user/#identified-by-password).
func MetricsAccount(a Adapter, user, password string) []Statement {
	account := QuoteString(user) + "@'%'"
	identified := "IDENTIFIED BY " + QuoteString(password)
	privileges := "PROCESS, REPLICATION CLIENT"
	if a.Flavour() == MariaDB {
		identified = "IDENTIFIED BY PASSWORD " + QuoteString(NativePasswordHash(password))
		// REPLICATION CLIENT is BINLOG MONITOR there (SHOW BINARY LOGS);
		// SHOW SLAVE STATUS needs SLAVE MONITOR since 10.5.9.
		privileges = "PROCESS, BINLOG MONITOR, SLAVE MONITOR"
	}
	limit := " WITH MAX_USER_CONNECTIONS " + metricsConnections
	return []Statement{
		{SQL: "CREATE USER IF NOT EXISTS " + account + " " + identified + limit},
		{SQL: "ALTER USER " + account + " " + identified + limit},
		{SQL: "GRANT " + privileges + " ON *.* TO " + account},
	}
}

// NativePasswordHash is password's mysql_native_password hash, as
// mysql.user stores it: "*" and the upper-case hex of SHA1(SHA1(password)).
func NativePasswordHash(password string) string {
	first := sha1.Sum([]byte(password))
	second := sha1.Sum(first[:])
	return "*" + strings.ToUpper(hex.EncodeToString(second[:]))
}
