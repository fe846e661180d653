package cluster

import "github.com/mysqlctl/mysqlctl/sql"

// aheadOf lists the answering replicas that received a transaction the
// candidate has not (applied or only received: a delayed replica's relay
// log counts, since the new primary's replicas would never get it).
func aheadOf(r *roleChange, candidate string, rep *sql.InstanceReport) []string {
	var out []string
	for i, s := range r.g.slots {
		other := r.g.probes[i].report
		if s.name == candidate || s.name == r.primary || other == nil {
			continue
		}
		if hasMore(other, rep) {
			out = append(out, s.name)
		}
	}
	return out
}

// hasMore: a holds or received a transaction b neither holds nor received
// (MariaDB: a later sequence number in a domain; MySQL: a GTID outside b's
// set). Unreadable positions count as nothing more.
func hasMore(a, b *sql.InstanceReport) bool {
	as, err1 := seenGTID(a)
	bs, err2 := seenGTID(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if a.Flavour.IsMariaDB() {
		al, _ := sql.ParseMariaDBGTIDList(as)
		bl, _ := sql.ParseMariaDBGTIDList(bs)
		for _, g := range al {
			if have, ok := bl.Domain(g.Domain); !ok || have.Seq < g.Seq {
				return true
			}
		}
		return false
	}
	aSet, _ := sql.ParseGTIDSet(as)
	bSet, _ := sql.ParseGTIDSet(bs)
	return !aSet.Subtract(bSet).IsEmpty()
}

// seenGTID is what a server applied or received (sql.SeenGTID).
func seenGTID(r *sql.InstanceReport) (string, error) {
	var received string
	if r.Replica != nil {
		received = r.Replica.Received()
	}
	return sql.SeenGTID(r.Flavour, executedGTID(r), received)
}
