package sql

import "testing"

func mustList(t *testing.T, s string) MariaDBGTIDList {
	t.Helper()
	l, err := ParseMariaDBGTIDList(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseMariaDBGTIDList(t *testing.T) {
	cases := map[string]string{
		"":                "",
		"0-1-100":         "0-1-100",
		"1-2-7,0-1-100":   "0-1-100,1-2-7", // sorted by domain
		" 0-1-5,\n 2-3-9": "0-1-5,2-3-9",
	}
	for in, want := range cases {
		if got := mustList(t, in).String(); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"0-1", "a-b-c", "0-1-2-3", "0-1-5,0-2-6", "-1-1-1"} {
		if _, err := ParseMariaDBGTIDList(bad); err == nil {
			t.Errorf("ParseMariaDBGTIDList(%q) accepted", bad)
		}
	}
}

func TestMariaDBBehind(t *testing.T) {
	cases := []struct {
		replica, primary string
		want             uint64
	}{
		{"0-1-10", "0-1-10", 0},
		{"0-1-7", "0-1-10", 3},
		{"", "0-1-10", 10},
		{"0-1-12", "0-1-10", 0},
		{"0-1-7,1-2-1", "0-1-10,1-2-5", 7},
	}
	for _, tc := range cases {
		if got := mustList(t, tc.replica).Behind(mustList(t, tc.primary)); got != tc.want {
			t.Errorf("behind(%q, %q) = %d, want %d", tc.replica, tc.primary, got, tc.want)
		}
	}
}
