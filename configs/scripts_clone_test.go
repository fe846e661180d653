package configs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// TestCloneRefusesAnEmptyPrimary: on the recorded primary, clone.sh stops
// the pod with
// one clear line when the data volume is empty (no system schema: the
// images' own "must initialise" test) although the cluster was initialised
// before (the state ConfigMap's "initialized" file); a brand-new cluster, or
// a primary with data, goes on as before. Replicas never look at it.
func TestCloneRefusesAnEmptyPrimary(t *testing.T) {
	tests := []struct {
		name                 string
		hostname, recorded   string
		hasData, initialized bool
		wantErr              bool
	}{
		{"new cluster, empty volume", "mysql-0", "mysql-0", false, false, false},
		{"initialised cluster, primary with data", "mysql-0", "mysql-0", true, true, false},
		{"initialised cluster, empty primary", "mysql-0", "mysql-0", false, true, true},
		{"new cluster, primary with data", "mysql-0", "mysql-0", true, false, false},
		{"initialised cluster, empty moved primary", "mysql-2", "mysql-2", false, true, true},
		{"initialised cluster, moved primary with data", "mysql-2", "mysql-2", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataRoot, stateDir := t.TempDir(), t.TempDir()
			if tt.hasData { // initialised by the image and bootstrapped by the sidecar
				if err := os.MkdirAll(filepath.Join(dataRoot, "mysql", "mysql"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(dataRoot, "mysqlctl"), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dataRoot, "mysqlctl", "bootstrap-complete"), "2026-11-30T10:00:00Z\n")
			}
			if tt.initialized {
				writeFile(t, filepath.Join(stateDir, "initialized"), "2026-11-30T10:00:00Z\n")
			}
			if tt.recorded != "" {
				writeFile(t, filepath.Join(stateDir, "primary"), tt.recorded+"\n")
			}
			out, err := runBash(t, `bash "$S/clone.sh"`, "HOSTNAME="+tt.hostname, "CLUSTER_NAME=mysql", "DATA_ROOT="+dataRoot,
				"CLUSTER_STATE_DIR="+stateDir, "CONFIG_DIR="+t.TempDir())
			if !tt.wantErr {
				if err != nil || !strings.Contains(out, tt.hostname+" is the recorded primary: it never clones") {
					t.Errorf("clone.sh: %v\n%s", err, out)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err == nil || len(lines) != 1 || !strings.Contains(out, "ERROR: the primary's data volume is empty, but this cluster has held data since 2026-11-30T10:00:00Z") ||
				!strings.Contains(out, "The replicas hold the data") || !strings.Contains(out, "`mysqlctl status`") {
				t.Errorf("clone.sh on an empty primary of an initialised cluster: err %v, output:\n%s", err, out)
			}
			if entries, _ := os.ReadDir(dataRoot); len(entries) != 0 {
				t.Errorf("clone.sh wrote into the empty volume: %v", entries)
			}
		})
	}
}

// TestCloneAttemptEndsAtTheDeadline: an attempt whose donor hangs (here a
// stream that never sends a byte) is ended with its whole process group
// when CLONE_TIMEOUT runs out, and clone.sh gives up with a line that says
// why, instead of waiting forever.
func TestCloneAttemptEndsAtTheDeadline(t *testing.T) {
	bin, config := t.TempDir(), writeStatements(t, t.TempDir(), sql.MariaDB, "10.11")
	fakes := map[string]string{
		"getent":   "echo '127.0.0.9 STREAM x'\n", // the headless Service lists one peer
		"mariadb":  "cat >/dev/null; echo 0\n",    // it answers: a writable primary
		"socat":    "exec sleep 61.25\n",          // the donor's stream never comes
		"mbstream": "cat >/dev/null\n",
	}
	for name, body := range fakes {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runBash(t, `start=$SECONDS; bash "$S/clone.sh" || echo "exit $? after $((SECONDS - start))s"; pgrep -f "sleep 61[.]25" || true`,
		"PATH="+bin+":"+os.Getenv("PATH"), "HOSTNAME=x-1", "CLUSTER_NAME=x", "DATA_ROOT="+t.TempDir(),
		"RUN_DIR="+t.TempDir(), "CONFIG_DIR="+config, "CLONE_TIMEOUT=3", "ADMIN_USER=a", "ADMIN_PASSWORD=b")
	for _, want := range []string{"cloning from 127.0.0.9 (a primary)", "did not finish within the", "no peer could be cloned within 3s", "exit 1 after"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("clone.sh with a hanging donor: %v, want %q in:\n%s", err, want, out)
		}
	}
	if !regexp.MustCompile(`exit 1 after [3-6]s\n$`).MatchString(out) {
		t.Errorf("clone.sh did not end at its deadline, or left the stream running:\n%s", out)
	}
}

// TestCloneRefusesAnEmptyPrimaryBesideARunningPeer: a first up interrupted
// before mysqlctl recorded that the cluster holds data, then the primary's
// volume lost. A peer whose server answers proves the cluster held data
// (in a new cluster no replica runs a server before the primary has data),
// so the empty primary refuses to initialise; with no peer answering it
// initialises as a new cluster's primary does.
func TestCloneRefusesAnEmptyPrimaryBesideARunningPeer(t *testing.T) {
	for _, peerAnswers := range []bool{true, false} {
		bin, dataRoot, stateDir := t.TempDir(), t.TempDir(), t.TempDir()
		writeFile(t, filepath.Join(stateDir, "primary"), "mysql-0\n")
		answer := "exit 1"
		if peerAnswers {
			answer = "exit 0"
		}
		for name, script := range map[string]string{
			"getent":        "echo '10.0.0.8 STREAM mysql'\n",
			"mariadb-admin": answer + "\n",
		} {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/bash\n"+script), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		out, err := runBash(t, `bash "$S/clone.sh"`, "PATH="+bin+":"+os.Getenv("PATH"), "HOSTNAME=mysql-0", "DATA_ROOT="+dataRoot,
			"CLUSTER_STATE_DIR="+stateDir, "CONFIG_DIR="+t.TempDir(), "RUN_DIR="+t.TempDir(), "ADMIN_USER=mysqlctl", "ADMIN_PASSWORD=a")
		switch {
		case peerAnswers && (err == nil || !strings.Contains(out, "the server at 10.0.0.8 already runs, so this cluster held data")):
			t.Errorf("an empty primary beside a running peer: err %v, output:\n%s", err, out)
		case !peerAnswers && (err != nil || !strings.Contains(out, "mysql-0 is the recorded primary: it never clones")):
			t.Errorf("an empty primary of a new cluster: err %v, output:\n%s", err, out)
		}
	}
}

// TestDonorChoiceSkipsErrantReplicas: a replicating replica that holds
// transactions the recorded primary lacks is no donor on MySQL (a clone of
// it would carry them); the sound replica comes first, then the primary.
// Under writes a sound replica holds, at any moment, what the primary held a
// moment before: its own set is read first, then the primary's, so what it
// received between the two reads is not called errant. Where the primary
// does not answer, its replicas still count.
func TestDonorChoiceSkipsErrantReplicas(t *testing.T) {
	record := t.TempDir()
	writeFile(t, filepath.Join(record, "primary"), "mysql-0\n")
	// Three peers: the primary (10.0.0.1), a replica with an errant write
	// (10.0.0.2), a sound one 3 s behind (10.0.0.3) that has applied
	// everything. With GROWS, every read comes a transaction later than the
	// one before, as under a steady writer (aaaa:1-N at the Nth read).
	// Replica status is printed in both flavours' words; the errant file's
	// answer is GTID_SUBTRACT of the two sets it is given, own first.
	snippet := `source "$S/clone.sh"
admin_cnf() { echo admin.cnf; }
peer_addresses() { printf '%s\n' ${PEERS:-10.0.0.1 10.0.0.2 10.0.0.3}; }
replica_status() {
    case "$2" in
    10.0.0.1) printf '' ;;
    *) lag=$([[ $2 == 10.0.0.2 ]] && echo 0 || echo 3)
       printf 'Source_Host: mysql-0.mysql\nReplica_IO_Running: Yes\nReplica_SQL_Running: Yes\nSeconds_Behind_Source: %s\n' "$lag"
       printf 'Master_Host: mysql-0.mysql\nSlave_IO_Running: Yes\nSlave_SQL_Running: Yes\nSeconds_Behind_Master: %s\n' "$lag" ;;
    esac
}
applied() {
    n=$(($(cat "$READS" 2>/dev/null || echo 0) + 1)); echo "$n" >"$READS"
    if [[ -n "${GROWS:-}" ]]; then echo "aaaa:1-$((10 + n))"; else echo 'aaaa:1-10'; fi
}
sql_query() {
    case "$2:$3" in
    10.0.0.1:stmt-read-only.sql) echo 0 ;;
    mysql-0.mysql:stmt-executed-gtid.sql) [[ -n "${PRIMARY_AWAY:-}" ]] && return 1; applied ;;
    10.0.0.2:stmt-own-gtid.sql) echo 'aaaa:1-10,bbbb:1' ;;
    10.0.0.3:stmt-own-gtid.sql) applied ;;
    esac
}
run_client() {
    q=$(cat)
    if [[ "$q" == *bbbb:1* ]]; then echo 'bbbb:1'; return; fi
    sets=($(grep -o "'aaaa:1-[0-9]*'" <<<"$q" | tr -dc '0-9\n' | sed 's/^1//'))
    if ((${sets[0]} > ${sets[1]})); then echo "aaaa:$((${sets[1]} + 1))-${sets[0]}"; else echo ''; fi
}
donor_candidates`
	base := []string{"CLUSTER_STATE_DIR=" + record, "CLUSTER_NAME=mysql",
		"HOSTNAME=mysql-3", "DATA_ROOT=" + t.TempDir(), "RUN_DIR=" + t.TempDir(), "ADMIN_USER=mysqlctl", "ADMIN_PASSWORD=a"}
	// The script is the same for both flavours: each asks through its own
	// errant file (MySQL's GTID_SUBTRACT, MariaDB's per-domain query).
	for _, fl := range []struct {
		flavour       sql.Flavour
		version, name string
	}{{sql.MySQL84, "8.4", "mysql"}, {sql.MariaDB, "10.11", "mariadb"}} {
		config := t.TempDir()
		writeStatements(t, config, fl.flavour, fl.version)
		flavourEnv := append([]string{"FLAVOR=" + fl.name, "CONFIG_DIR=" + config}, base...)
		for _, tc := range []struct {
			name string
			env  []string
			want string
		}{
			{"an errant replica is skipped", nil, "10.0.0.3 replica\n10.0.0.1 primary\n"},
			{"a replica that applied a transaction between the reads is not errant", []string{"GROWS=1", "PEERS=10.0.0.3 10.0.0.1"}, "10.0.0.3 replica\n10.0.0.1 primary\n"},
			{"without an answering primary, replicas count", []string{"PRIMARY_AWAY=1"}, "10.0.0.2 replica\n10.0.0.3 replica\n10.0.0.1 primary\n"},
		} {
			env := append(append([]string{"READS=" + filepath.Join(t.TempDir(), "reads")}, flavourEnv...), tc.env...)
			out, logged, err := runBashSplit(t, snippet, nil, env...)
			if err != nil || out != tc.want {
				t.Errorf("%s, %s: err %v, candidates %q, want %q; log:\n%s", fl.name, tc.name, err, out, tc.want, logged)
			}
			if tc.env == nil && !strings.Contains(logged, "peer 10.0.0.2: holds transactions the primary mysql-0 lacks (bbbb:1): not a donor") {
				t.Errorf("%s, %s: the skip is not logged:\n%s", fl.name, tc.name, logged)
			}
		}
	}
}
