package sql

import (
	"fmt"
	"sort"
	"strings"
)

// compareGTIDs fills the errant transactions and the lag of r against the
// primary: MySQL subtracts whole GTID sets both ways. MariaDB finds errant
// transactions per domain and server id in the binary log states (see
// MariaDBGTIDState.Errant), and counts the lag per domain from the
// replica's gtid_current_pos to the primary's gtid_binlog_pos.
func compareGTIDs(r, primary *InstanceReport, inst *InstanceFacts, facts *Facts) {
	if r.Flavour.IsMariaDB() {
		mineState, err1 := ParseMariaDBGTIDState(r.GTID.BinlogState)
		theirState, err2 := ParseMariaDBGTIDState(primary.GTID.BinlogState)
		minePos, err3 := ParseMariaDBGTIDList(r.GTID.CurrentPos)
		theirPos, err4 := ParseMariaDBGTIDList(primary.GTID.BinlogPos)
		theirCurrent, err5 := ParseMariaDBGTIDList(primary.GTID.CurrentPos)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
			facts.problemf("%s: cannot compare GTIDs with the primary: %v", r.Name, firstErr(err1, err2, err3, err4, err5))
			return
		}
		// The positions are folded into the states: they are in them already,
		// except on a server without a binary log (or in a report without a
		// state), whose writes and replicated transactions count all the same,
		// and on a primary that was a clone: its binary log starts after what
		// the backup carried, which its gtid_current_pos (from the clone's
		// gtid_slave_pos) still holds until it writes in that domain.
		mine, theirs := mineState.with(minePos...), theirState.with(theirPos...).with(theirCurrent...)
		inst.Errant = mine.Errant(theirs, primary.ServerID).String()
		behind := minePos.Behind(theirPos)
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
