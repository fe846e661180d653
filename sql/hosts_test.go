package sql

import "testing"

func TestSameHost(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"mysql-0", "mysql-0", true},
		{"mysql-0", "mysql-0.mysql", true},
		{"mysql-0.mysql", "mysql-0.mysql.ns.svc.cluster.local", true},
		{"mysql-0.mysql.ns.svc.cluster.local.", "mysql-0", true},
		{"MySQL-0.Mysql", "mysql-0.mysql", true},
		{"mysql-0", "mysql-01", false},
		{"mysql-0", "mysql-1.mysql", false},
		{"mysql-0.mysql", "mysql-0.other", false},
		{"mysql", "mysql-0.mysql", false},
		{"127.0.0.1", "127.0.0.1", true},
		{"10.0.0", "10.0.0.1", false},
		{"10.0.0.1", "10.0.0.12", false},
		{"::1", "0:0:0:0:0:0:0:1", true},
		{"10.0.0.1", "mysql-0", false},
		{"", "", false},
		{"mysql-0", "", false},
	}
	for _, tc := range cases {
		if got := SameHost(tc.a, tc.b); got != tc.want {
			t.Errorf("SameHost(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
