package sql

import (
	"strings"
	"testing"
)

// The rotation's statements per flavour: MySQL 8.0.14+ keeps the old
// password as the secondary one, MariaDB names both hashes and never the
// password; MySQL 5.7 and 8.0.13 are refused.
func TestRotationStatementsPerFlavour(t *testing.T) {
	l := Login{User: "mysqlctl", Host: "%"}
	for _, tc := range []struct {
		version, comment string
		want             []string
		refused          bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", "Debian 12", []string{"ALTER USER IF EXISTS 'mysqlctl'@'%' IDENTIFIED VIA mysql_native_password USING '" + NativePasswordHash("oldPW") + "' OR mysql_native_password USING '" + NativePasswordHash("newPW") + "'"}, false},
		{"9.7.4", "MySQL Community Server - GPL", []string{"ALTER USER IF EXISTS 'mysqlctl'@'%' IDENTIFIED BY 'oldPW'", "ALTER USER IF EXISTS 'mysqlctl'@'%' IDENTIFIED BY 'newPW' RETAIN CURRENT PASSWORD"}, false},
		{"8.0.14", "MySQL Community Server - GPL", nil, false},
		{"8.0.13", "MySQL Community Server - GPL", nil, true},
		{"5.7.44", "MySQL Community Server (GPL)", nil, true},
	} {
		a, err := NewAdapter(ServerInfo{Version: tc.version, VersionComment: tc.comment})
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := AdmitBothPasswords(a, l, "oldPW", "newPW")
		if (err != nil) != tc.refused {
			t.Errorf("%s: refused %v, want %v", tc.version, err, tc.refused)
			continue
		}
		for i, want := range tc.want {
			if i >= len(stmts) || stmts[i].SQL != want {
				t.Errorf("%s: statements %v, want %v", tc.version, stmts, tc.want)
				break
			}
		}
	}
	maria, _ := NewAdapter(ServerInfo{Version: "11.8.9-MariaDB"})
	if got := KeepOnlyPassword(maria, l, "newPW")[0].SQL; strings.Contains(got, "newPW") || !strings.Contains(got, NativePasswordHash("newPW")) {
		t.Errorf("MariaDB keeps only the new password with %s", got)
	}
	my, _ := NewAdapter(ServerInfo{Version: "8.4.3"})
	if got := KeepOnlyPassword(my, l, "newPW")[0].SQL; got != "ALTER USER IF EXISTS 'mysqlctl'@'%' DISCARD OLD PASSWORD" {
		t.Errorf("MySQL keeps only the new password with %s", got)
	}
	for _, tc := range []struct{ version, change string }{
		{"11.8.9-MariaDB", "CHANGE MASTER TO MASTER_PASSWORD = 'newPW'"},
		{"8.4.3", "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD = 'newPW'"},
		{"8.0.20", "CHANGE MASTER TO MASTER_PASSWORD = 'newPW'"},
	} {
		a, _ := NewAdapter(ServerInfo{Version: tc.version})
		stmts := ChangeReplicationPassword(a, "newPW")
		if len(stmts) != 3 || stmts[1].SQL != tc.change || !strings.HasPrefix(stmts[0].SQL, "STOP ") || !strings.HasPrefix(stmts[2].SQL, "START ") {
			t.Errorf("%s: %v", tc.version, stmts)
		}
	}
}
