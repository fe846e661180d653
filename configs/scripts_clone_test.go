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
