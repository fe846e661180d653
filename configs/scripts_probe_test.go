package configs

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/sql"
)

// TestReadinessFollowsTheDataAge: a replica is ready while its data is at
// most MAX_READ_LAG old: connected and that far behind at most, or cut off
// from its source (a primary restarting) for at most that long since the
// probe last saw it caught up. A delayed replica, a stopped applier, or one
// never caught up since its pod started is not ready; a server without a
// source is ready only while writable.
func TestReadinessFollowsTheDataAge(t *testing.T) {
	bin, run, config := t.TempDir(), t.TempDir(), writeStatements(t, t.TempDir(), sql.MariaDB, "10.11")
	fake := "#!/bin/bash\ncat >/dev/null\nif [[ \"$*\" == *--vertical* ]]; then printf '%s' \"$STATUS\"; else echo \"${RO:-0}\"; fi\n"
	if err := os.WriteFile(filepath.Join(bin, "mariadb"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	replica := func(io, sqlThread, lag string) string {
		return verticalStatus("Master_Host: mysql-0.mysql", "Slave_IO_Running: "+io, "Slave_SQL_Running: "+sqlThread, "Seconds_Behind_Master: "+lag)
	}
	caughtUp := filepath.Join(run, "caught-up")
	tests := []struct {
		name, status, ro string
		caughtUpAgo      time.Duration // <0: no file
		ready            bool
		// says is a regular expression: an age is read in whole seconds at
		// both ends, and the run itself takes time, so "60s ago" may be
		// reported as a second or two either side.
		says string
	}{
		{"caught up", replica("Yes", "Yes", "3"), "1", -1, true, ""},
		{"delayed", replica("Yes", "Yes", "120"), "1", 0, false, `120s behind its source, more than MAX_READ_LAG=30s`},
		{"source restarting", replica("Connecting", "Yes", "NULL"), "1", 10 * time.Second, true, ""},
		{"source away too long", replica("Connecting", "Yes", "NULL"), "1", time.Minute, false, `for (59|60|61|62)s, more than MAX_READ_LAG=30s`},
		{"never caught up", replica("Connecting", "Yes", "NULL"), "1", -1, false, "never caught up since the pod started"},
		{"applier stopped", replica("Yes", "No", "NULL"), "1", 0, false, `the applier \(SQL thread\) is No`},
		{"primary", "", "0", -1, true, ""},
		{"read-only without a source", "", "1", -1, false, "not a replica, yet read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(caughtUp)
			writeFile(t, filepath.Join(run, "sidecar-ready"), "")
			if tt.caughtUpAgo >= 0 {
				writeFile(t, caughtUp, "")
				at := time.Now().Add(-tt.caughtUpAgo)
				if err := os.Chtimes(caughtUp, at, at); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runBash(t, `bash "$S/probe.sh" ready`, "PATH="+bin+":"+os.Getenv("PATH"), "RUN_DIR="+run,
				"CONFIG_DIR="+config, "STATUS="+tt.status, "RO="+tt.ro, "MAX_READ_LAG=30", "PROBE_USER=a", "PROBE_PASSWORD=b")
			if (err == nil) != tt.ready || !regexp.MustCompile(tt.says).MatchString(out) {
				t.Errorf("ready = %v (%s), want %v saying %q", err == nil, out, tt.ready, tt.says)
			}
			if tt.name == "caught up" && !exists(caughtUp) {
				t.Error("a caught-up replica's probe did not record it")
			}
		})
	}
}
