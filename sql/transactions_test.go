package sql

import "testing"

func TestTransactionCount(t *testing.T) {
	for _, tc := range []struct {
		f    Flavour
		in   string
		want uint64
	}{
		{MariaDB, "0-100-42", 42},
		{MariaDB, "0-100-42,1-101-8", 50},
		{MariaDB, "", 0},
		{MySQL84, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18", 13},
		{MySQL84, "", 0},
	} {
		got, err := TransactionCount(tc.f, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("TransactionCount(%s, %q) = %d, %v; want %d", tc.f, tc.in, got, err, tc.want)
		}
	}
	if _, err := TransactionCount(MariaDB, "garbage"); err == nil {
		t.Error("garbage counted")
	}
}
