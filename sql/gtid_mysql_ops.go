package sql

import (
	"sort"
	"strconv"
	"strings"
)

// normalize sorts each source's intervals and merges overlapping or
// adjacent ones, and drops sources left without any.
func (s GTIDSet) normalize() {
	for key, ivs := range s {
		if len(ivs) == 0 {
			delete(s, key)
			continue
		}
		sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start < ivs[j].Start })
		merged := ivs[:1]
		for _, iv := range ivs[1:] {
			last := &merged[len(merged)-1]
			if iv.Start <= last.End+1 {
				last.End = max(last.End, iv.End)
				continue
			}
			merged = append(merged, iv)
		}
		s[key] = merged
	}
}

// IsEmpty reports whether the set holds no transaction.
func (s GTIDSet) IsEmpty() bool { return len(s) == 0 }

// Count is the number of transactions in the set.
func (s GTIDSet) Count() uint64 {
	var n uint64
	for _, ivs := range s {
		for _, iv := range ivs {
			n += iv.End - iv.Start + 1
		}
	}
	return n
}

// Subtract returns the transactions of s that are not in o, like the
// server's GTID_SUBTRACT(s, o).
func (s GTIDSet) Subtract(o GTIDSet) GTIDSet {
	out := GTIDSet{}
	for key, ivs := range s {
		rest := append([]Interval(nil), ivs...)
		for _, cut := range o[key] {
			rest = subtractInterval(rest, cut)
		}
		if len(rest) > 0 {
			out[key] = rest
		}
	}
	return out
}

// subtractInterval removes cut from the sorted intervals ivs.
func subtractInterval(ivs []Interval, cut Interval) []Interval {
	var out []Interval
	for _, iv := range ivs {
		if cut.End < iv.Start || cut.Start > iv.End {
			out = append(out, iv)
			continue
		}
		if iv.Start < cut.Start {
			out = append(out, Interval{Start: iv.Start, End: cut.Start - 1})
		}
		if iv.End > cut.End {
			out = append(out, Interval{Start: cut.End + 1, End: iv.End})
		}
	}
	return out
}

// Contains reports whether every transaction of o is in s.
func (s GTIDSet) Contains(o GTIDSet) bool { return o.Subtract(s).IsEmpty() }

// String prints the set in the server's notation, sources sorted, so equal
// sets print alike.
func (s GTIDSet) String() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	elems := make([]string, 0, len(keys))
	for _, k := range keys {
		var b strings.Builder
		b.WriteString(k)
		for _, iv := range s[k] {
			b.WriteString(":" + strconv.FormatUint(iv.Start, 10))
			if iv.End != iv.Start {
				b.WriteString("-" + strconv.FormatUint(iv.End, 10))
			}
		}
		elems = append(elems, b.String())
	}
	return strings.Join(elems, ",")
}
