package cluster

import (
	"slices"

	"github.com/mysqlctl/mysqlctl/sql"
)

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
// (MariaDB: a later sequence number in a domain, of gtid_current_pos or
// Gtid_IO_Pos; MySQL: a GTID of gtid_executed or Retrieved_Gtid_Set outside
// both of b's).
func hasMore(a, b *sql.InstanceReport) bool {
	if a.Flavour.IsMariaDB() {
		bl := mariadbSeen(b)
		for _, g := range mariadbSeen(a) {
			if have, ok := bl.Domain(g.Domain); !ok || have.Seq < g.Seq {
				return true
			}
		}
		return false
	}
	bExec, err1 := sql.ParseGTIDSet(executedGTID(b))
	bRecv, err2 := sql.ParseGTIDSet(receivedGTID(b))
	if err1 != nil || err2 != nil {
		return false
	}
	for _, text := range []string{executedGTID(a), receivedGTID(a)} {
		set, err := sql.ParseGTIDSet(text)
		if err == nil && !set.Subtract(bExec).Subtract(bRecv).IsEmpty() {
			return true
		}
	}
	return false
}

// receivedGTID is what a MySQL replica's receiver got (Retrieved_Gtid_Set).
func receivedGTID(r *sql.InstanceReport) string {
	if r.Replica == nil {
		return ""
	}
	return r.Replica.RetrievedGTIDSet
}

// mariadbSeen is, per domain, the later of what a MariaDB server applied
// (gtid_current_pos) and what its receiver got (Gtid_IO_Pos).
func mariadbSeen(r *sql.InstanceReport) sql.MariaDBGTIDList {
	seen, _ := sql.ParseMariaDBGTIDList(executedGTID(r))
	if r.Replica == nil {
		return seen
	}
	io, err := sql.ParseMariaDBGTIDList(r.Replica.GTIDIOPos)
	if err != nil {
		return seen
	}
	for _, g := range io {
		i := slices.IndexFunc(seen, func(h sql.MariaDBGTID) bool { return h.Domain == g.Domain })
		switch {
		case i < 0:
			seen = append(seen, g)
		case seen[i].Seq < g.Seq:
			seen[i] = g
		}
	}
	return seen
}
