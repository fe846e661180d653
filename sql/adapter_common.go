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

// createUser returns the statements that create the replication account on
// both flavours. The password travels as a quoted literal because neither
// server accepts a placeholder after IDENTIFIED BY; the statements carry it
// as a secret so it never reaches an error or a printed statement.
func createUser(quote func(string) string, user, host, password string) []Statement {
	account := quote(user) + "@" + quote(host)
	secret := []string{password}
	return []Statement{
		{SQL: "CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY " + quote(password), secrets: secret},
		{SQL: "ALTER USER " + account + " IDENTIFIED BY " + quote(password), secrets: secret},
		{SQL: "GRANT REPLICATION SLAVE ON *.* TO " + account},
	}
}
