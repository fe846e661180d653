package sql

import (
	"fmt"
)

// Login is one account, as CREATE USER names it: User@Host.
type Login struct{ User, Host string }

func (l Login) String() string { return QuoteString(l.User) + "@" + QuoteString(l.Host) }

// CanRotatePasswords says why the server cannot hold two passwords for one
// account, which a rotation with no outage needs while the pods' Secret
// files change: MySQL has dual passwords from 8.0.14 (RETAIN CURRENT
// PASSWORD); MariaDB takes several authentication methods, tried in turn,
// from 10.4 (IDENTIFIED VIA ... OR ...), older than any it supports.
func CanRotatePasswords(a Adapter) error {
	if v := a.Version(); a.Flavour() != MariaDB && !v.AtLeast(8, 0, 14) {
		return fmt.Errorf("MySQL %s cannot hold two passwords for one account (8.0.14 can)", v)
	}
	return nil
}

// AdmitBothPasswords makes l accept its old password and the new one. The
// statements are binary-logged, so that every replica changes with the
// primary, and they carry no password as written: MariaDB is given the
// mysql_native_password hashes, and MySQL writes ALTER USER to the binary
// log with the hash in place of the password. Running them again is
// harmless: on MySQL the first sets the old password as the current one
// (a secondary password is kept when RETAIN is not given), the second
// makes the new one current and keeps the old as the secondary; on MariaDB
// the statement names both.
func AdmitBothPasswords(a Adapter, l Login, oldPassword, newPassword string) ([]Statement, error) {
	if err := CanRotatePasswords(a); err != nil {
		return nil, err
	}
	if a.Flavour() == MariaDB {
		return []Statement{{SQL: "ALTER USER IF EXISTS " + l.String() +
			" IDENTIFIED VIA mysql_native_password USING " + QuoteString(NativePasswordHash(oldPassword)) +
			" OR mysql_native_password USING " + QuoteString(NativePasswordHash(newPassword))}}, nil
	}
	return []Statement{
		{SQL: "ALTER USER IF EXISTS " + l.String() + " IDENTIFIED BY " + QuoteString(oldPassword)},
		{SQL: "ALTER USER IF EXISTS " + l.String() + " IDENTIFIED BY " + QuoteString(newPassword) + " RETAIN CURRENT PASSWORD"},
	}, nil
}

// KeepOnlyPassword makes l accept its new password alone, binary-logged as
// AdmitBothPasswords is; running it again is harmless.
func KeepOnlyPassword(a Adapter, l Login, newPassword string) []Statement {
	if a.Flavour() == MariaDB {
		return []Statement{{SQL: "ALTER USER IF EXISTS " + l.String() +
			" IDENTIFIED VIA mysql_native_password USING " + QuoteString(NativePasswordHash(newPassword))}}
	}
	return []Statement{{SQL: "ALTER USER IF EXISTS " + l.String() + " DISCARD OLD PASSWORD"}}
}

// ChangeReplicationPassword gives a running replica the password it logs
// in to its source with. MariaDB changes a source's settings only with both
// threads stopped (error 1198), so both stop for the moment it takes; the
// applier carries on from where it stopped, the receiver from the GTID
// position. The statement is not binary-logged on either flavour.
func ChangeReplicationPassword(a Adapter, password string) []Statement {
	change := "CHANGE MASTER TO MASTER_PASSWORD = "
	if m, ok := a.(*mysqlAdapter); ok {
		change = m.syn.changeSource + " " + m.syn.opt + "PASSWORD = "
	}
	return []Statement{a.StopReplica(), {SQL: change + QuoteString(password)}, a.StartReplica()}
}
