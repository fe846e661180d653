package cluster

import (
	"fmt"

	"github.com/mysqlctl/mysqlctl/sql"
)

// mostData names, when the cluster has no writable primary, the server
// that holds the most transactions (applied or received into its relay
// log, which promote applies first) and how to get the cluster back: the
// facts a person needs at 3 a.m. after the primary's data was lost. "" when
// there is a primary or no server could be read.
func mostData(r *StatusReport) string {
	if r.Cluster.Primary != "" {
		return ""
	}
	var best *Member
	var bestCount uint64
	var bestSeen string
	for i := range r.Members {
		m := &r.Members[i]
		if !m.Reachable() {
			continue
		}
		f := sql.Flavour(r.Cluster.Flavour)
		var received string
		if m.Replication != nil {
			received = m.Replication.GTIDReceived
		}
		seen, err := sql.SeenGTID(f, m.GTIDExecuted, received)
		if err != nil {
			continue
		}
		n, err := sql.TransactionCount(f, seen)
		if err != nil {
			continue
		}
		if best == nil || n > bestCount {
			best, bestCount, bestSeen = m, n, seen
		}
	}
	if best == nil {
		return ""
	}
	primary := r.Cluster.RecordedPrimary
	if primary == "" {
		return fmt.Sprintf("no writable primary, and the cluster's record names none: %s holds the most transactions (%d, %s); make it the primary with mysqlctl promote %s",
			best.Pod, bestCount, bestSeen, best.Pod)
	}
	if best.Pod == primary {
		return fmt.Sprintf("no writable primary: %s holds the most transactions (%d) but is not writable; if it stays so, mysqlctl promote %s gives it its writes back", primary, bestCount, primary)
	}
	return fmt.Sprintf("no writable primary: %s holds the most transactions (%d, %s); if %s lost its data, restore its volume, or see the README's \"When the primary's data is lost\"",
		best.Pod, bestCount, bestSeen, primary)
}
