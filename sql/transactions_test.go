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

func TestSeenGTIDJoinsExecutedAndReceived(t *testing.T) {
	const u = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	for _, tc := range []struct {
		f                  Flavour
		executed, received string
		want               string
		count              uint64
	}{
		{MariaDB, "0-100-3", "0-100-4", "0-100-4", 4},                 // one received, not applied
		{MariaDB, "0-100-4,1-101-2", "0-100-3", "0-100-4,1-101-2", 6}, // received is older
		{MariaDB, "", "0-100-2", "0-100-2", 2},
		{MySQL84, u + ":1-3", u + ":1-5", u + ":1-5", 5},
		{MySQL84, u + ":1-3", "", u + ":1-3", 3},
	} {
		got, err := SeenGTID(tc.f, tc.executed, tc.received)
		if err != nil || got != tc.want {
			t.Errorf("SeenGTID(%s, %q, %q) = %q, %v; want %q", tc.f, tc.executed, tc.received, got, err, tc.want)
			continue
		}
		if n, _ := TransactionCount(tc.f, got); n != tc.count {
			t.Errorf("TransactionCount(%q) = %d, want %d", got, n, tc.count)
		}
	}
	if _, err := SeenGTID(MariaDB, "0-100-1", "garbage"); err == nil {
		t.Error("a garbage received position was joined")
	}
}
