package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// replicaFlavours are the servers the scripts run on, with the replica
// status columns each one's statement returns.
var replicaFlavours = []struct {
	flavor        string
	server        sql.Flavour
	version       string
	host, io, sql string // column names
	positioning   string // Using_Gtid / Auto_Position and its value when replicating
}{
	{"mariadb", sql.MariaDB, "10.11", "Master_Host", "Slave_IO_Running", "Slave_SQL_Running", "Using_Gtid: Slave_Pos"},
	{"mysql", sql.MySQL84, "8.4", "Source_Host", "Replica_IO_Running", "Replica_SQL_Running", "Auto_Position: 1"},
	{"mysql57", sql.MySQL57, "5.7", "Master_Host", "Slave_IO_Running", "Slave_SQL_Running", "Auto_Position: 0"},
}

// verticalStatus prints a replica status row as the client's --vertical
// output does; no lines means "not a replica" (empty output).
func verticalStatus(lines ...string) string {
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("*************************** 1. row ***************************\n")
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ": ")
		b.WriteString(strings.Repeat(" ", max(0, 29-len(name))) + name + ": " + value + "\n")
	}
	return b.String()
}

// replicaKit runs replication.sh's functions with the server replaced: the
// status comes from $STATUS, the statements sql_script receives are
// appended to a log, and sync is a fake that records its calls.
type replicaKit struct {
	dir, config, state, sqlLog, syncLog string
	asked                               []byte // the queries of the last run that read (errant_transactions)
	reads                               []byte // "HOST FILE" of every sql_query of the last run, in order
}

func newReplicaKit(t *testing.T, server sql.Flavour, version string) *replicaKit {
	t.Helper()
	dir := t.TempDir()
	k := &replicaKit{dir: dir, config: filepath.Join(dir, "config"), state: filepath.Join(dir, "data", "mysqlctl"),
		sqlLog: filepath.Join(dir, "sql.log"), syncLog: filepath.Join(dir, "sync.log")}
	for _, d := range []string{k.config, k.state, filepath.Join(dir, "bin"), filepath.Join(dir, "record")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "record", "primary"), "mysql-0\n") // as up records it
	writeStatements(t, k.config, server, version)
	fakeSync := "#!/bin/sh\necho sync >>\"$SYNC_LOG\"\n"
	if err := os.WriteFile(filepath.Join(dir, "bin", "sync"), []byte(fakeSync), 0o755); err != nil {
		t.Fatal(err)
	}
	return k
}

// run calls fn (a replication.sh function) with status as the server's
// replica status, and returns what it sent to the server and logged.
func (k *replicaKit) run(t *testing.T, flavor, status, fn string, env ...string) (sent, logged string, err error) {
	t.Helper()
	snippet := `source "$S/lib.sh"; source "$S/position.sh"; source "$S/replication.sh"
admin_cnf() { echo admin.cnf; }
replica_status() { if [[ "$2" == "$SERVER_HOST" ]]; then printf '%s' "$STATUS"; else printf '%s' "${PRIMARY_STATUS:-}"; fi; }
sql_query() { echo "$2 $3" >>"$SQL_LOG.reads"; case "$3" in stmt-read-only.sql) if [[ "$2" == "$SERVER_HOST" ]]; then echo "${OWN_READ_ONLY:-1}"; else echo "${PRIMARY_READ_ONLY:-0}"; fi ;; stmt-executed-gtid.sql) echo "${EXECUTED_GTID:-0-100-42}" ;; stmt-own-gtid.sql) echo "${OWN_GTID:-0-101-7}" ;; esac; }
sql_script() { cat >>"$SQL_LOG"; }
run_client() { cat >>"$SQL_LOG.asked"; printf '%s\n' "${ERRANT:-}"; }
` + fn
	base := []string{"FLAVOR=" + flavor, "CONFIG_DIR=" + k.config,
		"DATA_ROOT=" + filepath.Join(k.dir, "data"), "RUN_DIR=" + filepath.Join(k.dir, "run"),
		"PATH=" + filepath.Join(k.dir, "bin") + ":" + os.Getenv("PATH"), "SQL_LOG=" + k.sqlLog, "SYNC_LOG=" + k.syncLog,
		"STATUS=" + status, "ADMIN_USER=mysqlctl", "ADMIN_PASSWORD=a", "REPLICATION_USER=repl", "REPLICATION_PASSWORD=r",
		"CLUSTER_NAME=mysql", "HOSTNAME=mysql-1", "CLUSTER_STATE_DIR=" + filepath.Join(k.dir, "record")}
	_, logged, err = runBashSplit(t, snippet, nil, append(base, env...)...)
	b, _ := os.ReadFile(k.sqlLog)
	os.Remove(k.sqlLog)
	k.asked, _ = os.ReadFile(k.sqlLog + ".asked")
	os.Remove(k.sqlLog + ".asked")
	k.reads, _ = os.ReadFile(k.sqlLog + ".reads")
	os.Remove(k.sqlLog + ".reads")
	return string(b), logged, err
}

func (k *replicaKit) position() string { return filepath.Join(k.state, "replication-source") }

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// TestSetupReplica: a fresh clone is pointed at the primary from its
// position, which is then set aside durably (renamed, then sync) before
// replication starts; a replica that already has a source keeps its live
// position even when a position file is there (a rerun after the rename
// was lost, or a donor's settings carried by the clone): re-applying it
// would rewind a replica that applied transactions. Restarts are idempotent.
func TestSetupReplica(t *testing.T) {
	for _, f := range replicaFlavours {
		t.Run(f.flavor, func(t *testing.T) {
			k := newReplicaKit(t, f.server, f.version)
			files, err := sql.PodStatements(f.server, f.version)
			if err != nil {
				t.Fatal(err)
			}
			position := map[string]string{"mariadb": "gtid=0-100-9\n", "mysql": "auto_position=1\n",
				"mysql57": "binlog_file=mysql-bin.000003\nbinlog_pos=154\n"}[f.flavor]
			running := verticalStatus(f.host+": mysql-0.mysql", f.io+": Yes", f.sql+": Yes", "Last_IO_Errno: 0", "Last_SQL_Errno: 0", f.positioning)
			stopped := verticalStatus(f.host+": mysql-0.mysql", f.io+": No", f.sql+": No", "Last_IO_Errno: 0", "Last_SQL_Errno: 0", f.positioning)
			broken := verticalStatus(f.host+": mysql-0.mysql", f.io+": Yes", f.sql+": No", "Last_IO_Errno: 0", "Last_SQL_Errno: 1062", f.positioning)

			// A fresh clone: change source, then start; the file is set aside.
			writeFile(t, k.position(), position)
			sent, logged, err := k.run(t, f.flavor, "", "setup_replica")
			if err != nil {
				t.Fatalf("fresh clone: %v\n%s", err, logged)
			}
			if !strings.HasPrefix(sent, strings.Split(files[sql.FileChangeSource], "\n")[0]) ||
				!strings.HasSuffix(sent, files[sql.FileStartReplica]) || !strings.Contains(sent, "'mysql-0.mysql'") {
				t.Errorf("fresh clone sent:\n%s\nwant %s filled, then %s", sent, sql.FileChangeSource, sql.FileStartReplica)
			}
			if exists(k.position()) || readFile(t, k.position()+".applied") != position || readFile(t, k.syncLog) != "sync\n" {
				t.Errorf("fresh clone: position file not renamed to .applied and synced (sync log %q)", readFile(t, k.syncLog))
			}

			// A stale position file next to a configured replica: not applied.
			for name, status := range map[string]string{"running": running, "broken": broken} {
				writeFile(t, k.position(), "stale\n")
				sent, logged, err = k.run(t, f.flavor, status, "setup_replica")
				if err != nil || sent != "" || exists(k.position()) || !strings.Contains(logged, "its live position wins") {
					t.Errorf("%s replica with a stale position file: err %v, sent %q, file left %v, log:\n%s", name, err, sent, exists(k.position()), logged)
				}
			}
			// Configured and stopped without an error (the crash window
			// between CHANGE and START): started, the file set aside.
			writeFile(t, k.position(), position)
			if sent, logged, err = k.run(t, f.flavor, stopped, "setup_replica"); err != nil || sent != files[sql.FileStartReplica] || exists(k.position()) {
				t.Errorf("stopped replica: err %v, sent %q, want only %s; log:\n%s", err, sent, sql.FileStartReplica, logged)
			}
			// Restarts with no file: a running or broken replica is left alone.
			for _, status := range []string{running, broken} {
				if sent, logged, err = k.run(t, f.flavor, status, "setup_replica"); err != nil || sent != "" || !strings.Contains(logged, "left alone") {
					t.Errorf("restart: err %v, sent %q, log:\n%s", err, sent, logged)
				}
			}
			// Data without a source or a clone position, never bootstrapped
			// here: only MySQL 8 can start by auto-position.
			if f.flavor == "mysql" {
				sent, logged, err = k.run(t, f.flavor, "", "setup_replica")
				if err != nil || !strings.Contains(sent, "SOURCE_AUTO_POSITION=1") {
					t.Errorf("mysql without a source: err %v, sent %q", err, sent)
				}
			}
			// A former primary (its sidecar once created the accounts):
			// rejoins the recorded primary after its own transactions;
			// MySQL 5.7, positioned by file and position, cannot.
			writeFile(t, filepath.Join(k.state, "bootstrap-complete"), "2026-12-01T00:00:00Z\n")
			sent, logged, err = k.run(t, f.flavor, "", "setup_replica")
			switch f.flavor {
			case "mysql57":
				if err == nil || !strings.Contains(logged, "run mysqlctl reclone mysql-1") {
					t.Errorf("mysql57 former primary: err %v, log:\n%s", err, logged)
				}
			case "mariadb":
				if err != nil || !strings.HasPrefix(sent, files[sql.FileStopReplica]) || !strings.Contains(sent, "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos;") || !strings.HasSuffix(sent, files[sql.FileStartReplica]) {
					t.Errorf("mariadb former primary: err %v, sent %q, log:\n%s", err, sent, logged)
				}
			default:
				if err != nil || !strings.Contains(sent, "SOURCE_AUTO_POSITION=1") || !strings.HasSuffix(sent, files[sql.FileStartReplica]) {
					t.Errorf("%s former primary: err %v, sent %q, log:\n%s", f.flavor, err, sent, logged)
				}
			}
			// The recorded primary not (yet) a primary: nothing is sent, the
			// sidecar tries again later. The record names another pod.
			writeFile(t, k.position(), position)
			writeFile(t, filepath.Join(k.dir, "record", "primary"), "mysql-2\n")
			for _, env := range [][]string{{"PRIMARY_READ_ONLY=1"}, {"PRIMARY_STATUS=" + running}} {
				sent, logged, err = k.run(t, f.flavor, "", "setup_replica", env...)
				if err == nil || sent != "" || !strings.Contains(logged, "the recorded primary mysql-2.mysql is not writable yet (") {
					t.Errorf("%s, primary %v: err %v, sent %q, log:\n%s", f.flavor, env, err, sent, logged)
				}
			}
			sent, _, err = k.run(t, f.flavor, "", "setup_replica")
			if err != nil || !strings.Contains(sent, "'mysql-2.mysql'") {
				t.Errorf("%s: a fresh clone did not follow the recorded primary mysql-2: err %v, sent %q", f.flavor, err, sent)
			}
			os.Remove(filepath.Join(k.dir, "record", "primary"))
		})
	}
}

// TestRestartStoppedReceiver: the sidecar's watch starts the receiver again
// when it stopped on a connection error while the applier runs, with the
// flavour's rendered statement, and never after any other error, nor when
// the applier stopped too (a human's STOP, or a data error), nor while the
// server itself is still reconnecting.
func TestRestartStoppedReceiver(t *testing.T) {
	tests := []struct {
		name, io, sqlThread, errno string
		restart                    bool
	}{
		{"cannot connect", "No", "Yes", "2003", true},
		{"unknown host", "No", "Yes", "2005", true},
		{"gone away", "No", "Yes", "2006", true},
		{"connection lost", "No", "Yes", "2013", true},
		{"too many connections", "No", "Yes", "1040", true},
		{"source shutting down", "No", "Yes", "1053", true},
		{"access denied", "No", "Yes", "1045", false},
		{"binary logs purged", "No", "Yes", "1236", false},
		{"binary logs purged, MySQL 8", "No", "Yes", "13114", false},
		{"equal server ids", "No", "Yes", "1593", false},
		{"stopped by a human", "No", "Yes", "0", false},
		{"both threads stopped", "No", "No", "2003", false},
		{"reconnecting", "Connecting", "Yes", "2003", false},
		{"running", "Yes", "Yes", "0", false},
	}
	for _, f := range replicaFlavours {
		k := newReplicaKit(t, f.server, f.version)
		files, err := sql.PodStatements(f.server, f.version)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			status := verticalStatus(f.host+": mysql-0.mysql", f.io+": "+tt.io, f.sql+": "+tt.sqlThread,
				"Last_IO_Errno: "+tt.errno, "Last_IO_Error: error reconnecting to source 'repl@mysql-0.mysql:3306'")
			sent, logged, err := k.run(t, f.flavor, status, "restart_stopped_receiver admin.cnf")
			want := ""
			if tt.restart {
				want = files[sql.FileStartIOThread]
			}
			if err != nil || sent != want {
				t.Errorf("%s, %s: err %v, sent %q, want %q; log:\n%s", f.flavor, tt.name, err, sent, want, logged)
			}
			if tt.io == "No" && tt.sqlThread == "Yes" && !tt.restart && !strings.Contains(logged, "left stopped for a human") {
				t.Errorf("%s, %s: the receiver's error was not logged:\n%s", f.flavor, tt.name, logged)
			}
		}
		if sent, _, err := k.run(t, f.flavor, "", "restart_stopped_receiver admin.cnf"); err != nil || sent != "" {
			t.Errorf("%s, not a replica: err %v, sent %q", f.flavor, err, sent)
		}
	}
	// A receiver error is logged once, not at every check.
	k := newReplicaKit(t, sql.MariaDB, "10.11")
	status := verticalStatus("Master_Host: mysql-0.mysql", "Slave_IO_Running: No", "Slave_SQL_Running: Yes", "Last_IO_Errno: 1236", "Last_IO_Error: purged")
	_, logged, err := k.run(t, "mariadb", status, "restart_stopped_receiver c; restart_stopped_receiver c")
	if err != nil || strings.Count(logged, "left stopped") != 1 {
		t.Errorf("two checks of one error: err %v, log:\n%s", err, logged)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A replica whose source is not the recorded primary (it was away during a
// switchover) is repointed once the recorded primary answers as one, from
// where its applier stands after a stop; while neither its source nor the
// recorded primary answers as the primary, the second look in a row marks
// it for the readiness probe, and following a primary again clears that.
func TestReplicaFollowsTheRecordedPrimary(t *testing.T) {
	k := newReplicaKit(t, sql.MariaDB, "10.11")
	files, err := sql.PodStatements(sql.MariaDB, "10.11")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(k.dir, "record", "primary"), "mysql-2\n")
	fromOld := verticalStatus("Master_Host: mysql-0.mysql", "Slave_IO_Running: Yes", "Slave_SQL_Running: Yes", "Using_Gtid: Slave_Pos")
	sent, logged, err := k.run(t, "mariadb", fromOld, "follow_recorded_primary admin.cnf")
	if err != nil || !strings.HasPrefix(sent, files[sql.FileStopReplica]) || !strings.Contains(sent, "MASTER_HOST='mysql-2.mysql'") ||
		!strings.Contains(sent, "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos;") || !strings.HasSuffix(sent, files[sql.FileStartReplica]) {
		t.Errorf("repoint to the recorded primary: err %v, sent %q, log:\n%s", err, sent, logged)
	}

	wrong := filepath.Join(k.dir, "run", "wrong-source")
	twice := "follow_recorded_primary admin.cnf; [[ ! -f \"$WRONG_SOURCE\" ]] || exit 9; follow_recorded_primary admin.cnf"
	sent, logged, err = k.run(t, "mariadb", fromOld, twice, "PRIMARY_READ_ONLY=1")
	if err != nil || sent != "" || !exists(wrong) || !strings.Contains(readFile(t, wrong), "replicates from mysql-0.mysql, which is not writable yet") {
		t.Errorf("a replica chained through a read-only server: err %v, sent %q, marked %v, log:\n%s", err, sent, exists(wrong), logged)
	}
	sent, _, err = k.run(t, "mariadb", fromOld, "follow_recorded_primary admin.cnf")
	if err != nil || exists(wrong) || !strings.Contains(sent, "MASTER_HOST='mysql-2.mysql'") {
		t.Errorf("once the recorded primary answers: err %v, marked %v, sent %q", err, exists(wrong), sent)
	}
	fromNew := verticalStatus("Master_Host: mysql-2.mysql", "Slave_IO_Running: Yes", "Slave_SQL_Running: Yes")
	if sent, _, err = k.run(t, "mariadb", fromNew, "follow_recorded_primary admin.cnf"); err != nil || sent != "" {
		t.Errorf("a replica of the recorded primary was touched: err %v, sent %q", err, sent)
	}
}

// A replica pointed at the recorded primary and never started since (a
// repoint interrupted between its change of source and its start, as a
// killed switchover leaves it) is started at the next tick. One a person
// stopped (it read a log of its source), one with an error, and any during
// a role change are left as they are.
func TestUnstartedReplicaIsStarted(t *testing.T) {
	k := newReplicaKit(t, sql.MariaDB, "10.11")
	files, err := sql.PodStatements(sql.MariaDB, "10.11")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(k.dir, "record", "primary"), "mysql-2\n")
	status := func(file, ioErr string) string {
		return verticalStatus("Master_Host: mysql-2.mysql", "Slave_IO_Running: No", "Slave_SQL_Running: No",
			"Master_Log_File: "+file, "Last_IO_Errno: "+ioErr, "Last_SQL_Errno: 0")
	}
	sent, logged, err := k.run(t, "mariadb", status("", "0"), "follow_recorded_primary admin.cnf")
	if err != nil || sent != files[sql.FileStartReplica] || !strings.Contains(logged, "never started since") {
		t.Errorf("a replica never started: err %v, sent %q, log:\n%s", err, sent, logged)
	}
	for name, st := range map[string]string{
		"stopped by a person": status("mysql-bin.000002", "0"),
		"with an error":       status("", "2003"),
	} {
		if sent, _, err := k.run(t, "mariadb", st, "follow_recorded_primary admin.cnf"); err != nil || sent != "" {
			t.Errorf("a replica %s was touched: err %v, sent %q", name, err, sent)
		}
	}
	writeFile(t, filepath.Join(k.dir, "record", "change"), `{"command":"switchover","from":"mysql-0","to":"mysql-2"}`+"\n")
	if sent, _, err := k.run(t, "mariadb", status("", "0"), "follow_recorded_primary admin.cnf"); err != nil || sent != "" {
		t.Errorf("a replica was started during a role change: err %v, sent %q", err, sent)
	}
}

// A read-only server with no source at all (a repoint interrupted between
// its reset and its new source, as a killed switchover leaves it) rejoins
// the recorded primary from its own position at the next tick. A writable
// one (a new primary the mounted record lags) and any server while a role
// change is under way are left alone.
func TestSourcelessReplicaRejoinsTheRecordedPrimary(t *testing.T) {
	k := newReplicaKit(t, sql.MariaDB, "10.11")
	writeFile(t, filepath.Join(k.dir, "record", "primary"), "mysql-2\n")
	sent, logged, err := k.run(t, "mariadb", "", "follow_recorded_primary admin.cnf")
	if err != nil || !strings.Contains(sent, "MASTER_HOST='mysql-2.mysql'") || !strings.Contains(sent, "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos;") ||
		!strings.Contains(logged, "read-only with no replication source") {
		t.Errorf("a read-only server without a source: err %v, sent %q, log:\n%s", err, sent, logged)
	}
	if sent, _, err = k.run(t, "mariadb", "", "follow_recorded_primary admin.cnf", "OWN_READ_ONLY=0"); err != nil || sent != "" {
		t.Errorf("a writable server without a source was repointed: err %v, sent %q", err, sent)
	}
	writeFile(t, filepath.Join(k.dir, "record", "change"), `{"command":"switchover","from":"mysql-2","to":"mysql-1"}`+"\n")
	if sent, _, err = k.run(t, "mariadb", "", "follow_recorded_primary admin.cnf"); err != nil || sent != "" {
		t.Errorf("a server without a source was repointed during a role change: err %v, sent %q", err, sent)
	}
}

// TestMySQLServerWithErrantTransactionsFollowsNoNewSource: MySQL's
// auto-position would replicate on top of transactions the new source
// lacks. A former primary holding some is never pointed at the recorded
// primary (it stays read-only, no source: not ready), and a replica that
// must be repointed keeps its source and is marked; each is logged once.
// The source's GTID set reaches GTID_SUBTRACT whole, without the "\n" the
// client's batch output puts between UUIDs.
func TestMySQLServerWithErrantTransactionsFollowsNoNewSource(t *testing.T) {
	k := newReplicaKit(t, sql.MySQL84, "8.4")
	writeFile(t, filepath.Join(k.state, "bootstrap-complete"), "2026-12-01T00:00:00Z\n")
	errant := "ERRANT=3e11fa47-71ca-11e1-9e33-c80aa9429562:23-25"
	primarySet := `EXECUTED_GTID=aaaaaaaa-0000-0000-0000-000000000001:1-9,\nbbbbbbbb-0000-0000-0000-000000000002:1-3`
	ownSet := `OWN_GTID=aaaaaaaa-0000-0000-0000-000000000001:1-9,\n3e11fa47-71ca-11e1-9e33-c80aa9429562:1-25`
	twice := "setup_replica || true; setup_replica"
	sent, logged, err := k.run(t, "mysql", "", twice, errant, primarySet, ownSet)
	if err == nil || sent != "" || strings.Count(logged, "holds transactions mysql-0.mysql lacks (3e11fa47-71ca-11e1-9e33-c80aa9429562:23-25)") != 1 ||
		!strings.Contains(logged, "until mysqlctl reclone mysql-1") {
		t.Errorf("former primary with errant transactions: err %v, sent %q, log:\n%s", err, sent, logged)
	}
	want := "SELECT GTID_SUBTRACT('aaaaaaaa-0000-0000-0000-000000000001:1-9,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-25', 'aaaaaaaa-0000-0000-0000-000000000001:1-9,bbbbbbbb-0000-0000-0000-000000000002:1-3');\n"
	if !strings.HasPrefix(string(k.asked), want) {
		t.Errorf("asked %q, want %q", k.asked, want)
	}
	// The server's own set first, then the source's: a transaction it
	// received between the two reads is in both.
	if own, source := strings.Index(string(k.reads), "stmt-own-gtid.sql"), strings.Index(string(k.reads), "mysql-0.mysql stmt-executed-gtid.sql"); own < 0 || source < own {
		t.Errorf("reads in the order %q: want the server's own set before the source's", k.reads)
	}
	if sent, logged, err = k.run(t, "mysql", "", "setup_replica"); err != nil || !strings.Contains(sent, "SOURCE_AUTO_POSITION=1") {
		t.Errorf("former primary without errant transactions: err %v, sent %q, log:\n%s", err, sent, logged)
	}

	writeFile(t, filepath.Join(k.dir, "record", "primary"), "mysql-2\n")
	fromOld := verticalStatus("Source_Host: mysql-0.mysql", "Replica_IO_Running: Yes", "Replica_SQL_Running: Yes", "Auto_Position: 1")
	wrong := filepath.Join(k.dir, "run", "wrong-source")
	sent, logged, err = k.run(t, "mysql", fromOld, "follow_recorded_primary admin.cnf; follow_recorded_primary admin.cnf", errant)
	if err != nil || sent != "" || !exists(wrong) || !strings.Contains(readFile(t, wrong), "holds transactions the recorded primary mysql-2.mysql lacks") {
		t.Errorf("repointing a replica with errant transactions: err %v, sent %q, marked %v, log:\n%s", err, sent, exists(wrong), logged)
	}
	if sent, _, err = k.run(t, "mysql", fromOld, "follow_recorded_primary admin.cnf"); err != nil || !strings.Contains(sent, "SOURCE_HOST='mysql-2.mysql'") || exists(wrong) {
		t.Errorf("repointing a replica without errant transactions: err %v, sent %q, marked %v", err, sent, exists(wrong))
	}
}
