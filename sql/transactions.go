package sql

import (
	"fmt"
	"slices"
)

// TransactionCount counts the transactions an executed-GTID value holds:
// MySQL's @@gtid_executed, or MariaDB's @@gtid_current_pos (the sum of the
// sequence numbers of its domains: each domain's numbers start at 1 and
// have no gaps). It tells which of several servers holds the most data when
// none is the primary.
func TransactionCount(f Flavour, executed string) (uint64, error) {
	if f == MariaDB {
		list, err := ParseMariaDBGTIDList(executed)
		if err != nil {
			return 0, err
		}
		var n uint64
		for _, g := range list {
			n += g.Seq
		}
		return n, nil
	}
	set, err := ParseGTIDSet(executed)
	if err != nil {
		return 0, fmt.Errorf("count transactions: %w", err)
	}
	return set.Count(), nil
}

// SeenGTID is what a server holds or was sent: its executed GTIDs joined
// with what its receiver got (MySQL: the union of the two sets; MariaDB:
// per domain the later of the two positions). After a primary is lost, a
// replica's relay log is data too: the one that saw the most is the one to
// promote.
func SeenGTID(f Flavour, executed, received string) (string, error) {
	if f.IsMariaDB() {
		seen, err := ParseMariaDBGTIDList(executed)
		if err != nil {
			return "", err
		}
		got, err := ParseMariaDBGTIDList(received)
		if err != nil {
			return "", err
		}
		for _, g := range got {
			i := slices.IndexFunc(seen, func(h MariaDBGTID) bool { return h.Domain == g.Domain })
			switch {
			case i < 0:
				seen = append(seen, g)
			case seen[i].Seq < g.Seq:
				seen[i] = g
			}
		}
		return seen.String(), nil
	}
	set, err := ParseGTIDSet(executed + "," + received)
	if err != nil {
		return "", fmt.Errorf("join executed and received GTIDs: %w", err)
	}
	return set.String(), nil
}

// Received is what the replica's receiver got from its source, in the
// flavour's notation (MySQL's Retrieved_Gtid_Set, MariaDB's Gtid_IO_Pos).
func (s *ReplicaStatus) Received() string {
	if s.GTIDIOPos != "" {
		return s.GTIDIOPos
	}
	return s.RetrievedGTIDSet
}
