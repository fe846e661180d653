package sql

import "fmt"

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
