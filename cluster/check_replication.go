package cluster

import (
	"fmt"
	"strings"
	"time"
)

// checkReplicationRunning: both threads run on every replica. A replica
// whose threads stopped serves ever older data without saying so.
func checkReplicationRunning(v view) CheckResult {
	var t tally
	for _, m := range reachable(v.replicas, &t) {
		rep := m.Replication
		switch {
		case rep == nil:
			t.fail("%s does not replicate (no source configured)", m.Pod)
		case !rep.IORunning || !rep.SQLRunning:
			t.fail("%s: %s", m.Pod, threadStates(rep))
		}
	}
	return t.result(CheckReplicationRunning, fmt.Sprintf("IO and SQL threads run on %s", podList(v.replicas)))
}

// threadStates names the threads that do not run, in the server's words.
func threadStates(rep *Replication) string {
	var s string
	if !rep.IORunning {
		s = fmt.Sprintf("IO thread not running (%s)", rep.IOThread)
	}
	if !rep.SQLRunning {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("SQL thread not running (%s)", rep.SQLThread)
	}
	return s
}

// checkReplicasFollowPrimary: a replica of another replica (or of an old
// primary) looks healthy, threads running and lag 0, yet misses writes.
func checkReplicasFollowPrimary(v view) CheckResult {
	var t tally
	if v.r.Cluster.Primary == "" {
		t.warn("no primary to compare the replicas' sources with")
		return t.result(CheckReplicasFollowPrimary, "")
	}
	for _, m := range reachable(v.replicas, &t) {
		rep := m.Replication
		if rep == nil || rep.FollowsPrimary {
			continue // no source at all fails replication-running
		}
		source := rep.Source
		if rep.SourcePod != "" {
			source = fmt.Sprintf("%s (%s)", rep.SourcePod, rep.Source)
		}
		t.fail("%s replicates from %s, not from the primary %s", m.Pod, source, v.primary)
	}
	return t.result(CheckReplicasFollowPrimary, fmt.Sprintf("%s replicate from %s", podList(v.replicas), v.primary))
}

// checkReplicationLag: every replica is at most maxLag behind the primary.
// An unknown lag (a thread stopped, a replica of another server) cannot
// pass.
func checkReplicationLag(v view, maxLag time.Duration) CheckResult {
	var t tally
	limit := int64(maxLag / time.Second)
	var worst int64
	worstPod := "none" // the first of the most lagging replicas
	for _, m := range reachable(v.replicas, &t) {
		lag, why := lagBehindPrimary(*m, v.primary)
		switch {
		case lag == nil:
			t.warn("%s: lag unknown (%s)", m.Pod, why)
		case *lag > limit:
			t.fail("%s is %ds behind (max %ds)%s", m.Pod, *lag, limit, delayNote(m.Replication))
		case worstPod == "none" || *lag > worst:
			worst, worstPod = *lag, m.Pod
		}
	}
	return t.result(CheckReplicationLag, fmt.Sprintf("worst lag %ds (%s), max %ds", worst, worstPod, limit))
}

func delayNote(rep *Replication) string {
	if rep.SQLDelaySeconds == 0 {
		return ""
	}
	return fmt.Sprintf(", delayed on purpose by %ds (MASTER_DELAY)", rep.SQLDelaySeconds)
}

// checkNoErrantTransactions: a transaction written on a replica and absent
// from the primary breaks the next failover or replication itself.
func checkNoErrantTransactions(v view) CheckResult {
	var t tally
	if v.r.Cluster.Primary == "" {
		t.warn("no primary to compare transactions with")
		return t.result(CheckNoErrantTransactions, "")
	}
	for _, m := range reachable(v.replicas, &t) {
		if m.ErrantTransactions != "" {
			t.fail("%s has errant transactions the primary %s lacks: %s (to discard them: mysqlctl reclone %s)", m.Pod, v.primary, m.ErrantTransactions, m.Pod)
		}
	}
	return t.result(CheckNoErrantTransactions, fmt.Sprintf("no replica has transactions the primary %s lacks", v.primary))
}

// errSourcePurgedBinlogs is ER_SOURCE_FATAL_ERROR_READING_BINLOG: the source
// purged what the replica still needs, or the replica diverged (a former
// primary holding transactions the new one never received: the source does
// not have the replica's last GTID). Only a new clone fixes either.
const errSourcePurgedBinlogs = 1236

// errSourceFatalReadingBinlog is MySQL 8's receiver error for the same
// refusal (ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG, "Got fatal error
// 1236 from source ..."), seen on MySQL 9.7.4 after a purge.
// https://dev.mysql.com/doc/mysql-errors/8.4/en/server-error-reference.html#error_er_server_source_fatal_error_reading_binlog
const errSourceFatalReadingBinlog = 13114

// why1236 tells the two causes of error 1236 apart by the source's words.
func why1236(message string) string {
	m := strings.ToLower(message)
	if strings.Contains(m, "diverged") || strings.Contains(m, "not in the master's binlog") || strings.Contains(m, "has more") {
		// MariaDB's words, and MySQL's ("the replica has more GTIDs than the
		// source has, using the source's SERVER_UUID").
		return "diverged: it holds transactions its source never had (a former primary after a promote)"
	}
	return "its source no longer has the binary logs it needs"
}

// checkNoReplicationErrors: the last IO and SQL errors of every replica.
// An error whose thread runs again is a warning: it happened, it passed.
func checkNoReplicationErrors(v view) CheckResult {
	var t tally
	for _, m := range reachable(v.replicas, &t) {
		rep := m.Replication
		if rep == nil {
			continue
		}
		for _, e := range []struct {
			thread  string
			err     *ThreadError
			running bool
		}{{"IO", rep.LastIOError, rep.IORunning}, {"SQL", rep.LastSQLError, rep.SQLRunning}} {
			switch {
			case e.err == nil:
			case e.running:
				t.warn("%s: last %s error %d (thread running again): %s", m.Pod, e.thread, e.err.Errno, oneLine(e.err.Message))
			case e.err.Errno == errSourcePurgedBinlogs || e.err.Errno == errSourceFatalReadingBinlog:
				t.fail("%s: %s error %d: %s (%s: mysqlctl reclone %s)", m.Pod, e.thread, e.err.Errno, oneLine(e.err.Message), why1236(e.err.Message), m.Pod)
			default:
				t.fail("%s: %s error %d: %s", m.Pod, e.thread, e.err.Errno, oneLine(e.err.Message))
			}
		}
	}
	return t.result(CheckNoReplicationErrors, fmt.Sprintf("no replication errors on %s", podList(v.replicas)))
}
