package sql

import (
	"strings"
	"testing"
)

func TestNativePasswordHashIsMySQLs(t *testing.T) {
	// SELECT PASSWORD('password') on MariaDB and MySQL 5.7.
	if got := NativePasswordHash("password"); got != "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19" {
		t.Errorf("NativePasswordHash(password) = %s", got)
	}
}

// TestMetricsAccountKeepsThePasswordOutOfMariaDBsBinlog: MariaDB binlogs
// the statements as written, so they carry the hash alone; MySQL rewrites
// them itself. Neither grants a SELECT.
func TestMetricsAccountKeepsThePasswordOutOfMariaDBsBinlog(t *testing.T) {
	const pw = "s3cretPassw0rd"
	for _, info := range []ServerInfo{
		{Version: "10.11.19-MariaDB-0+deb12u1", VersionComment: "Debian 12"},
		{Version: "9.7.4", VersionComment: "MySQL Community Server - GPL"},
		{Version: "8.0.36", VersionComment: "MySQL Community Server - GPL"},
		{Version: "5.7.44", VersionComment: "MySQL Community Server (GPL)"},
	} {
		a, err := NewAdapter(info)
		if err != nil {
			t.Fatal(err)
		}
		f := a.Flavour()
		all := ""
		for _, s := range MetricsAccount(a, "mysqlctl_metrics", pw) {
			all += s.SQL + ";\n"
		}
		if strings.Contains(all, "SELECT") || !strings.Contains(all, "MAX_USER_CONNECTIONS 3") || !strings.Contains(all, "PROCESS") {
			t.Errorf("%s: %s", f, all)
		}
		if (f == MariaDB) == strings.Contains(all, pw) {
			t.Errorf("%s: the password in the statements: %v, want %v:\n%s", f, strings.Contains(all, pw), f != MariaDB, all)
		}
	}
}
