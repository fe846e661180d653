package sql

import (
	"fmt"
	"sort"
	"strings"
)

// MariaDBGTIDState is a MariaDB binary log state such as
// @@gtid_binlog_state: the last GTID of every (domain, server id) pair in
// the binary log, sorted by domain, then server id. Unlike a position,
// which keeps one GTID per domain, it still lists a server's write after
// another server's transactions followed it in that domain.
// See https://mariadb.com/kb/en/gtid/#gtid_binlog_state.
type MariaDBGTIDState []MariaDBGTID

// ParseMariaDBGTIDState reads "0-2-5,0-1-9,1-2-7". The empty string is the
// empty state. Two entries for one domain and server id are an error, as on
// the server.
func ParseMariaDBGTIDState(s string) (MariaDBGTIDState, error) {
	var out MariaDBGTIDState
	for _, elem := range strings.Split(normalizeGTIDText(s), ",") {
		if elem == "" {
			continue
		}
		g, err := parseMariaDBGTID(elem)
		if err != nil {
			return nil, fmt.Errorf("parse MariaDB GTID state %q: %w", s, err)
		}
		if _, dup := out.find(g.Domain, g.ServerID); dup {
			return nil, fmt.Errorf("parse MariaDB GTID state %q: domain %d and server id %d appear twice", s, g.Domain, g.ServerID)
		}
		out = append(out, g)
	}
	out.sort()
	return out, nil
}

func (st MariaDBGTIDState) sort() {
	sort.Slice(st, func(i, j int) bool {
		if st[i].Domain != st[j].Domain {
			return st[i].Domain < st[j].Domain
		}
		return st[i].ServerID < st[j].ServerID
	})
}

func (st MariaDBGTIDState) find(domain, serverID uint32) (MariaDBGTID, bool) {
	if i := st.index(domain, serverID); i >= 0 {
		return st[i], true
	}
	return MariaDBGTID{}, false
}

func (st MariaDBGTIDState) index(domain, serverID uint32) int {
	for i, g := range st {
		if g.Domain == domain && g.ServerID == serverID {
			return i
		}
	}
	return -1
}

// with returns the state with gtids added, keeping the higher sequence
// number of a (domain, server id) pair present in both. It folds a
// position into a state: a server without a binary log has an empty state
// but still a position.
func (st MariaDBGTIDState) with(gtids ...MariaDBGTID) MariaDBGTIDState {
	out := append(MariaDBGTIDState(nil), st...)
	for _, g := range gtids {
		i := out.index(g.Domain, g.ServerID)
		switch {
		case i < 0:
			out = append(out, g)
		case g.Seq > out[i].Seq:
			out[i] = g
		}
	}
	out.sort()
	return out
}

func (st MariaDBGTIDState) String() string { return joinMariaDBGTIDs(st) }

// Errant returns the entries of a replica's state st that the primary's
// state (read first) does not cover: the primary logged a lower sequence
// number for that domain and server id, or it logged nothing of that
// server id and the entry is later than anything it has in the domain.
// Comparing per server id and not per domain keeps a write made on the
// replica visible after the primary's later writes of its own id. Entries
// carrying the primary's own server id are never errant: they are the
// primary's transactions, replicated after its state was read.
//
// A server id the primary never logged, at a sequence number it has passed,
// is not called errant: the primary may have been cloned after that
// server's last write (a backup carries no binary log, so a clone's state
// starts empty), and its data then holds the write. The one errant write
// that looks the same, a replica's write buried under the primary's later
// ones, cannot happen with gtid_strict_mode (on in every pod's cnf): the
// replica refuses the primary's next GTID of that domain, its replication
// stops, and mysqlctl check fails on that.
func (st MariaDBGTIDState) Errant(primary MariaDBGTIDState, primaryServerID uint32) MariaDBGTIDState {
	var out MariaDBGTIDState
	for _, g := range st {
		if g.ServerID == primaryServerID {
			continue
		}
		p, logged := primary.find(g.Domain, g.ServerID)
		if (logged && g.Seq > p.Seq) || (!logged && g.Seq > primary.last(g.Domain)) {
			out = append(out, g)
		}
	}
	return out
}

// last is the highest sequence number of domain in the state.
func (st MariaDBGTIDState) last(domain uint32) uint64 {
	var n uint64
	for _, g := range st {
		if g.Domain == domain && g.Seq > n {
			n = g.Seq
		}
	}
	return n
}
