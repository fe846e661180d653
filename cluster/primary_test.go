package cluster

import (
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// A count that removes the recorded primary is refused, whatever its
// ordinal; any other passes.
func TestCheckKeepsPrimary(t *testing.T) {
	for _, tc := range []struct {
		primary  string
		replicas int32
		refused  bool
	}{
		{"mysql-0", 1, false}, {"mysql-2", 3, false}, {"mysql-2", 2, true}, {"mysql-2", 1, true}, {"mysql-4", 5, false},
	} {
		err := checkKeepsPrimary("mysql", tc.primary, tc.replicas)
		if (err != nil) != tc.refused {
			t.Errorf("primary %s, %d replicas: %v, want refused %v", tc.primary, tc.replicas, err, tc.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "mysqlctl switchover --to mysql-0") {
			t.Errorf("the refusal names no way out: %v", err)
		}
	}
}

// promote's "applied more" test, per flavour: a later sequence number in
// a MariaDB domain, a GTID outside the set on MySQL.
func TestHasMore(t *testing.T) {
	maria := func(pos string) *sql.InstanceReport {
		return &sql.InstanceReport{Flavour: sql.MariaDB, GTID: sql.GTIDState{CurrentPos: pos}}
	}
	mysql := func(set string) *sql.InstanceReport {
		return &sql.InstanceReport{Flavour: sql.MySQL84, GTID: sql.GTIDState{Executed: set}}
	}
	const uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	for _, tc := range []struct {
		name string
		a, b *sql.InstanceReport
		want bool
	}{
		{"mariadb ahead", maria("0-100-12"), maria("0-100-10"), true},
		{"mariadb equal", maria("0-100-10"), maria("0-100-10"), false},
		{"mariadb behind", maria("0-100-9"), maria("0-100-10"), false},
		{"mariadb another domain", maria("0-100-10,1-101-3"), maria("0-100-10"), true},
		{"mysql ahead", mysql(uuid + ":1-12"), mysql(uuid + ":1-10"), true},
		{"mysql contained", mysql(uuid + ":1-10"), mysql(uuid + ":1-12"), false},
	} {
		if got := hasMore(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: hasMore = %v, want %v", tc.name, got, tc.want)
		}
	}
}
