package sql

import "testing"

func TestDetectFlavour(t *testing.T) {
	cases := []struct {
		version, comment string
		want             Flavour
		wantVersion      Version
	}{
		{"5.7.44-log", "MySQL Community Server (GPL)", MySQL57, Version{5, 7, 44}},
		{"8.0.21", "MySQL Community Server - GPL", MySQL80, Version{8, 0, 21}},
		{"8.0.36-28", "Percona Server (GPL), Release 28, Revision 47601f19", MySQL80, Version{8, 0, 36}},
		{"8.1.0", "MySQL Community Server - GPL", MySQL84, Version{8, 1, 0}},
		{"8.3.0", "MySQL Community Server - GPL", MySQL84, Version{8, 3, 0}},
		{"8.4.3", "MySQL Community Server - GPL", MySQL84, Version{8, 4, 3}},
		{"9.1.0-commercial", "MySQL Enterprise Server - Commercial", MySQL84, Version{9, 1, 0}},
		// Debian's MariaDB does not say MariaDB in version_comment.
		{"10.11.19-MariaDB-0+deb12u1-log", "Debian 12", MariaDB, Version{10, 11, 19}},
		{"11.4.2-MariaDB-ubu2404", "mariadb.org binary distribution", MariaDB, Version{11, 4, 2}},
		{"11.8.1-MariaDB", "", MariaDB, Version{11, 8, 1}},
	}
	for _, tc := range cases {
		f, v, err := DetectFlavour(tc.version, tc.comment)
		if err != nil || f != tc.want || v != tc.wantVersion {
			t.Errorf("DetectFlavour(%q, %q) = %s %v %v, want %s %v", tc.version, tc.comment, f, v, err, tc.want, tc.wantVersion)
		}
	}
	for _, bad := range []string{"5.6.51-log", "10.4.33-MariaDB", "", "x.y", "8"} {
		if f, _, err := DetectFlavour(bad, ""); err == nil {
			t.Errorf("DetectFlavour(%q) = %s, want an error", bad, f)
		}
	}
}

func TestVersionAtLeast(t *testing.T) {
	v := Version{8, 0, 22}
	for _, c := range []struct {
		ma, mi, p int
		want      bool
	}{{8, 0, 22, true}, {8, 0, 23, false}, {8, 0, 21, true}, {5, 7, 99, true}, {8, 1, 0, false}, {9, 0, 0, false}} {
		if got := v.AtLeast(c.ma, c.mi, c.p); got != c.want {
			t.Errorf("%v.AtLeast(%d,%d,%d) = %v", v, c.ma, c.mi, c.p, got)
		}
	}
}
