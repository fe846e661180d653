package manifest

import (
	"errors"
	"strings"
	"testing"
)

// TestMySQLUpgradesOneLTSAtATime: 8.0 → 8.4 and 8.4 → 9.7 pass, 8.0 → 9.7
// is refused naming the path; MariaDB's series jumps pass; a patch
// release within a series passes.
func TestMySQLUpgradesOneLTSAtATime(t *testing.T) {
	for _, tc := range []struct {
		flavor   Flavor
		from, to string
		refused  string // a part of the refusal, "" to pass
	}{
		{FlavorMySQL, "8.0", "8.4", ""},
		{FlavorMySQL, "8.0.36", "8.4", ""},
		{FlavorMySQL, "8.4", "9.7", ""},
		{FlavorMySQL, "8.0.30", "8.0.36", ""},
		{FlavorMySQL, "8.0", "9.7", "8.0 → 8.4 → 9.7): pass --version 8.4 first"},
		{FlavorMySQL, "8.0.36", "9.7", "pass --version 8.4 first"},
		{FlavorMariaDB, "10.11", "11.8", ""},
	} {
		live := Spec{Name: "mysql", Replicas: 3, Flavor: tc.flavor, Version: tc.from}.WithDefaults()
		asked := Spec{Name: "mysql", Replicas: 3, Flavor: tc.flavor, Version: tc.to}.WithDefaults()
		got, err := Declare(asked, Given{KeyVersion: true}, live)
		var invalid *InvalidSpecError
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%s %s → %s refused: %v", tc.flavor, tc.from, tc.to, err)
		case tc.refused == "" && got.Version != tc.to:
			t.Errorf("%s %s → %s declared version %s", tc.flavor, tc.from, tc.to, got.Version)
		case tc.refused != "" && (!errors.As(err, &invalid) || !strings.Contains(err.Error(), tc.refused)):
			t.Errorf("%s %s → %s: %v, want a refusal saying %q", tc.flavor, tc.from, tc.to, err, tc.refused)
		}
	}
}

func TestNewSeries(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"10.11", "11.8", true}, {"10.11.6", "11.8.9", true}, {"8.0", "8.4", true},
		{"10.11", "10.11.19", false}, {"11.8", "11.8", false}, {"11.8", "10.11", false}, {"", "11.8", false},
	} {
		if got := NewSeries(tc.from, tc.to); got != tc.want {
			t.Errorf("NewSeries(%q, %q) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
