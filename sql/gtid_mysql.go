package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// GTIDSet is a MySQL GTID set: for each source (a server UUID, or
// "uuid:tag" for the tagged GTIDs of MySQL 8.3+) the transactions it holds,
// as sorted, disjoint, non-adjacent intervals. The zero value is empty.
// Format: https://dev.mysql.com/doc/refman/8.4/en/replication-gtids-concepts.html
type GTIDSet map[string][]Interval

// Interval is the inclusive range of transaction numbers Start..End.
type Interval struct {
	Start, End uint64
}

// normalizeGTIDText drops the whitespace MySQL puts in printed GTID sets
// (a newline after each comma).
func normalizeGTIDText(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// ParseGTIDSet reads a set such as
// "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11,uuid2:1-3" or, with tags,
// "uuid:1-5:mytag:1-2". The empty string is the empty set.
func ParseGTIDSet(s string) (GTIDSet, error) {
	set := GTIDSet{}
	for _, elem := range strings.Split(normalizeGTIDText(s), ",") {
		if elem == "" {
			continue
		}
		if err := set.addElement(elem); err != nil {
			return nil, fmt.Errorf("parse GTID set %q: %w", s, err)
		}
	}
	set.normalize()
	return set, nil
}

// addElement adds "uuid[:tag]:interval[:interval|:tag...]".
func (s GTIDSet) addElement(elem string) error {
	parts := strings.Split(elem, ":")
	uuid := strings.ToLower(parts[0])
	if !isUUID(uuid) {
		return fmt.Errorf("%q is not a server UUID", parts[0])
	}
	if len(parts) < 2 {
		return fmt.Errorf("%q has no transaction numbers", elem)
	}
	key, empty := uuid, true // empty: the current source has no interval yet
	for _, p := range parts[1:] {
		if p != "" && p[0] >= '0' && p[0] <= '9' {
			iv, err := parseInterval(p)
			if err != nil {
				return err
			}
			s[key] = append(s[key], iv)
			empty = false
			continue
		}
		if !isGTIDTag(p) || empty && key != uuid {
			return fmt.Errorf("%q is neither an interval nor a tag following intervals", p)
		}
		key, empty = uuid+":"+strings.ToLower(p), true
	}
	if empty {
		return fmt.Errorf("%q ends without transaction numbers", elem)
	}
	return nil
}

func parseInterval(p string) (Interval, error) {
	lo, hi, found := strings.Cut(p, "-")
	start, err := strconv.ParseUint(lo, 10, 64)
	if err != nil || start == 0 {
		return Interval{}, fmt.Errorf("bad interval %q", p)
	}
	end := start
	if found {
		if end, err = strconv.ParseUint(hi, 10, 64); err != nil || end < start {
			return Interval{}, fmt.Errorf("bad interval %q", p)
		}
	}
	return Interval{Start: start, End: end}, nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
	}
	return true
}

// isGTIDTag follows MySQL's rule: a letter or underscore, then up to 31
// letters, digits or underscores.
func isGTIDTag(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, c := range strings.ToLower(s) {
		letter := c == '_' || (c >= 'a' && c <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
