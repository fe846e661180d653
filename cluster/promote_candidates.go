package cluster

import (
	"fmt"
	"strings"

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

// mostReceived picks the replica to promote when the user names none: the
// answering replica no other received more than (the relay log counts,
// promote applies it first), not delayed on purpose; of several with the
// same data, the lowest ordinal. Two that each received what the other
// lacks have diverged: the user chooses, knowing what is lost.
func mostReceived(r *roleChange) (string, error) {
	var candidates []string
	for i, s := range r.g.slots {
		rep := r.g.probes[i].report
		if s.name == r.primary || rep == nil || !rep.IsReplica() || rep.Replica.SQLDelay > 0 {
			continue
		}
		candidates = append(candidates, s.name)
	}
	if len(candidates) == 0 {
		return "", fmt.Errorf("no answering replica to promote (mysqlctl status shows why): name one with mysqlctl promote POD once it answers")
	}
	var behind []string
	for _, name := range candidates {
		ahead := aheadOf(r, name, r.report(name))
		if len(ahead) == 0 {
			return name, nil
		}
		behind = append(behind, fmt.Sprintf("%s lacks what %s received", name, strings.Join(ahead, ", ")))
	}
	return "", fmt.Errorf("no replica received everything the others did (%s; a delayed replica is never picked): name the one to promote, mysqlctl promote POD (--force loses what the others hold)", strings.Join(behind, "; "))
}
