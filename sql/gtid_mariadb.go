package sql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// MariaDBGTID is one MariaDB GTID, domain-server_id-sequence.
// See https://mariadb.com/kb/en/gtid/.
type MariaDBGTID struct {
	Domain   uint32
	ServerID uint32
	Seq      uint64
}

func (g MariaDBGTID) String() string { return fmt.Sprintf("%d-%d-%d", g.Domain, g.ServerID, g.Seq) }

// MariaDBGTIDList is a MariaDB GTID position such as @@gtid_current_pos: the
// last GTID of each replication domain, sorted by domain.
type MariaDBGTIDList []MariaDBGTID

// ParseMariaDBGTIDList reads "0-1-100,1-2-7". The empty string is the empty
// position. Two entries for one domain are an error, as on the server.
func ParseMariaDBGTIDList(s string) (MariaDBGTIDList, error) {
	var out MariaDBGTIDList
	seen := map[uint32]bool{}
	for _, elem := range strings.Split(normalizeGTIDText(s), ",") {
		if elem == "" {
			continue
		}
		g, err := parseMariaDBGTID(elem)
		if err != nil {
			return nil, fmt.Errorf("parse MariaDB GTID position %q: %w", s, err)
		}
		if seen[g.Domain] {
			return nil, fmt.Errorf("parse MariaDB GTID position %q: domain %d appears twice", s, g.Domain)
		}
		seen[g.Domain] = true
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Domain < out[j].Domain })
	return out, nil
}

func parseMariaDBGTID(elem string) (MariaDBGTID, error) {
	parts := strings.Split(elem, "-")
	if len(parts) != 3 {
		return MariaDBGTID{}, fmt.Errorf("%q is not domain-server-sequence", elem)
	}
	domain, err1 := strconv.ParseUint(parts[0], 10, 32)
	server, err2 := strconv.ParseUint(parts[1], 10, 32)
	seq, err3 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return MariaDBGTID{}, fmt.Errorf("%q is not domain-server-sequence", elem)
	}
	return MariaDBGTID{Domain: uint32(domain), ServerID: uint32(server), Seq: seq}, nil
}

// Domain returns the entry of domain d.
func (l MariaDBGTIDList) Domain(d uint32) (MariaDBGTID, bool) {
	for _, g := range l {
		if g.Domain == d {
			return g, true
		}
	}
	return MariaDBGTID{}, false
}

func (l MariaDBGTIDList) String() string { return joinMariaDBGTIDs(l) }

func joinMariaDBGTIDs(gtids []MariaDBGTID) string {
	parts := make([]string, len(gtids))
	for i, g := range gtids {
		parts[i] = g.String()
	}
	return strings.Join(parts, ",")
}

// Behind counts the transactions of the primary's position (gtid_binlog_pos)
// that a replica at position l (gtid_current_pos) has not applied yet,
// summed over domains. It
// relies on sequence numbers being consecutive within a domain, which
// gtid_strict_mode guarantees.
func (l MariaDBGTIDList) Behind(primary MariaDBGTIDList) uint64 {
	var n uint64
	for _, p := range primary {
		var have uint64
		if g, ok := l.Domain(p.Domain); ok {
			have = g.Seq
		}
		if p.Seq > have {
			n += p.Seq - have
		}
	}
	return n
}
