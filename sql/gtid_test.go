package sql

import (
	"testing"
)

const (
	uA = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	uB = "5b1e9a1c-2f3d-11ef-8a4b-0242ac120003"
)

func mustGTIDSet(t *testing.T, s string) GTIDSet {
	t.Helper()
	set, err := ParseGTIDSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestParseGTIDSetCanonical(t *testing.T) {
	cases := map[string]string{
		"":                                       "",
		uA + ":1-5":                              uA + ":1-5",
		uA + ":1-5:7":                            uA + ":1-5:7",
		uA + ":1-3:4-6":                          uA + ":1-6", // adjacent intervals merge
		uA + ":4-9:1-5":                          uA + ":1-9", // overlapping, unsorted
		uA + ":3:1:2":                            uA + ":1-3",
		uB + ":1-2,\n" + uA + ":1-40":            uA + ":1-40," + uB + ":1-2", // MySQL's printed form
		"3E11FA47-71CA-11E1-9E33-C80AA9429562:1": uA + ":1",
		uA + ":1-5," + uA + ":6-8":               uA + ":1-8", // one UUID twice
		uA + ":1-5:Audit:1-2:3":                  uA + ":1-5," + uA + ":audit:1-3",
		uA + ":audit:1-2":                        uA + ":audit:1-2",
	}
	for in, want := range cases {
		if got := mustGTIDSet(t, in).String(); got != want {
			t.Errorf("ParseGTIDSet(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestParseGTIDSetErrors(t *testing.T) {
	for _, bad := range []string{
		"not-a-uuid:1-5", uA, uA + ":", uA + ":0", uA + ":5-3", uA + ":1-x",
		uA + ":9tag:1", uA + ":1--5", uA + ":1-5:tag",
	} {
		if _, err := ParseGTIDSet(bad); err == nil {
			t.Errorf("ParseGTIDSet(%q) accepted", bad)
		}
	}
}

func TestGTIDSetSubtract(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{uA + ":1-10", uA + ":1-10", ""},
		{uA + ":1-10", uA + ":1-8", uA + ":9-10"},
		{uA + ":1-10", uA + ":3-4:7", uA + ":1-2:5-6:8-10"},
		{uA + ":1-10", uA + ":1-20", ""},
		{uA + ":1-10," + uB + ":1-2", uA + ":1-10", uB + ":1-2"}, // errant on another server
		{uA + ":1-10", "", uA + ":1-10"},
		{"", uA + ":1-10", ""},
		{uA + ":1-5:audit:1-3", uA + ":1-5", uA + ":audit:1-3"}, // tags are separate sources
		{uA + ":5-5", uA + ":1-4:6-9", uA + ":5"},
	}
	for _, tc := range cases {
		got := mustGTIDSet(t, tc.a).Subtract(mustGTIDSet(t, tc.b)).String()
		if got != tc.want {
			t.Errorf("%q - %q = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestGTIDSetCountContains(t *testing.T) {
	s := mustGTIDSet(t, uA+":1-10:15,"+uB+":3-4")
	if got := s.Count(); got != 13 {
		t.Errorf("Count = %d, want 13", got)
	}
	if !s.Contains(mustGTIDSet(t, uA+":2-5,"+uB+":4")) {
		t.Error("Contains subset = false")
	}
	if s.Contains(mustGTIDSet(t, uA+":11")) {
		t.Error("Contains non-member = true")
	}
	if !(GTIDSet{}).IsEmpty() || s.IsEmpty() {
		t.Error("IsEmpty wrong")
	}
}
