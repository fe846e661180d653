package sql

import (
	"fmt"
	"sort"
	"strings"
)

// compareGTIDs fills the errant transactions and the lag of r against the
// primary: MySQL subtracts GTID sets both ways; MariaDB compares the
// replica's gtid_current_pos with the primary's gtid_binlog_pos per domain.
func compareGTIDs(r, primary *InstanceReport, inst *InstanceFacts, facts *Facts) {
	if r.Flavour.IsMariaDB() {
		mine, err1 := ParseMariaDBGTIDList(r.GTID.CurrentPos)
		theirs, err2 := ParseMariaDBGTIDList(primary.GTID.BinlogPos)
		if err1 != nil || err2 != nil {
			facts.problemf("%s: cannot compare GTIDs with the primary: %v", r.Name, firstErr(err1, err2))
			return
		}
		inst.Errant = mine.Errant(theirs, primary.ServerID).String()
		behind := mine.Behind(theirs)
		inst.BehindTransactions = &behind
	} else {
		if !strings.EqualFold(primary.GTID.Mode, "ON") {
			return // without GTIDs only the file/position distance is known
		}
		mine, err1 := ParseGTIDSet(r.GTID.Executed)
		theirs, err2 := ParseGTIDSet(primary.GTID.Executed)
		if err1 != nil || err2 != nil {
			facts.problemf("%s: cannot compare GTIDs with the primary: %v", r.Name, firstErr(err1, err2))
			return
		}
		inst.Errant = mine.Subtract(theirs).String()
		behind := theirs.Subtract(mine).Count()
		inst.BehindTransactions = &behind
	}
	if inst.Errant != "" {
		facts.problemf("%s has errant transactions the primary %s does not have: %s", r.Name, primary.Name, inst.Errant)
	}
}

// behindBytes is the primary's position minus the replica's executed
// position when both are in the same binary log file.
func behindBytes(s *ReplicaStatus, b *BinlogStatus) *uint64 {
	if b == nil || s.RelaySourceLogFile != b.File {
		return nil
	}
	var n uint64
	if b.Position > s.ExecSourceLogPos {
		n = b.Position - s.ExecSourceLogPos
	}
	return &n
}

// duplicateServerIDs finds server ids used by more than one server: their
// replicas would drop each other's events as their own.
func duplicateServerIDs(reps []*InstanceReport, facts *Facts) map[uint32][]string {
	users := map[uint32][]string{}
	for _, r := range reps {
		users[r.ServerID] = append(users[r.ServerID], r.Name)
	}
	var ids []uint32
	for id, names := range users {
		if len(names) > 1 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	dups := map[uint32][]string{}
	for _, id := range ids {
		dups[id] = users[id]
		facts.problemf("server id %d is used by %s", id, strings.Join(users[id], ", "))
	}
	return dups
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("unknown error")
}
