package sql

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites the golden files: go test ./sql -run PodStatements -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// podCases are the releases the pods run: the ConfigMap renders for the
// spec's series, reading "8.0" as 8.0.23 (see cluster's statementServer).
var podCases = []struct {
	flavour Flavour
	version string
}{
	{MySQL84, "8.4"},
	{MySQL80, "8.0.23"},
	{MariaDB, "10.11"},
	{MySQL57, "5.7"},
}

// The rendered files are the only proof of the MySQL statements (no MySQL
// server runs in these tests): each flavour's are kept in a golden file,
// reviewed against the manuals cited in docs/flavours.md. MariaDB's also run
// against real servers (TestMariaDBPodStatements).
func TestPodStatementsGolden(t *testing.T) {
	for _, tc := range podCases {
		t.Run(string(tc.flavour), func(t *testing.T) {
			files, err := PodStatements(tc.flavour, tc.version)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, name := range sortedKeys(files) {
				b.WriteString("-- " + name + "\n" + files[name] + "\n")
			}
			path := filepath.Join("testdata", "pod-statements-"+string(tc.flavour)+".sql")
			if *update {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./sql -run PodStatements -update creates it)", err)
			}
			if d := cmp.Diff(string(want), b.String()); d != "" {
				t.Errorf("%s differs (-want +got), rerun with -update if intended:\n%s", path, d)
			}
		})
	}
}

// The scripts rely on these files and these placeholders: what a file
// needs is what its script passes (configs/scripts/*.sh).
func TestPodStatementsPlaceholders(t *testing.T) {
	change := map[Flavour]string{
		MySQL84: "source_host source_port:int replication_user replication_password source_ca",
		MySQL80: "source_host source_port:int replication_user replication_password source_ca",
		MariaDB: "gtid source_host source_port:int replication_user replication_password source_ca",
		MySQL57: "source_host source_port:int replication_user replication_password source_ca binlog_file binlog_pos:int",
	}
	clone := "valid_donors admin_user donor_host donor_port:int admin_password clone_dir"
	for _, tc := range podCases {
		files, err := PodStatements(tc.flavour, tc.version)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			FileAccounts:         "admin_user admin_password replication_user replication_password probe_user probe_password",
			FileChangeSource:     change[tc.flavour],
			FileStartReplica:     "",
			FileStartIOThread:    "",
			FileStopReplica:      "",
			FileReplicaStatus:    "",
			FileReadOnly:         "",
			FileServerStart:      "",
			FileServerRole:       "",
			FileMakeWritable:     "",
			FileResetPasswords:   "root_password admin_user admin_password replication_user replication_password probe_user probe_password",
			FileRootPassword:     "root_password",
			FileInitRootPassword: "root_password",
		}
		if tc.flavour == MariaDB {
			want[FileRestoreGTID] = "gtid"
		}
		if tc.flavour != MySQL57 {
			want[FileExecutedGTID], want[FileErrantGTID], want[FileOwnGTID] = "", "own_gtid source_gtid", ""
			want[FileChangeSourceHere] = "source_host source_port:int replication_user replication_password source_ca"
		}
		if tc.flavour == MariaDB || tc.flavour == MySQL84 {
			want[FileSemiSyncSourceOn] = ""
		}
		switch tc.flavour {
		case MariaDB:
			want[FileRootHosts], want[FileRestrictRoot] = "", "root_host"
		case MySQL84, MySQL80:
			want[FileClone] = clone
			want[FileCloneLocal], want[FileCloneStatus], want[FileRestoreForgetSource] = "clone_dir", "", ""
		}
		got := map[string]string{}
		for name, text := range files {
			ps, err := placeholders(text)
			if err != nil {
				t.Errorf("%s %s: %v", tc.flavour, name, err)
			}
			var words []string
			for _, p := range ps {
				if p.Int {
					p.Name += ":int"
				}
				words = append(words, p.Name)
			}
			got[name] = strings.Join(words, " ")
			if !strings.HasSuffix(text, ";\n") || strings.Contains(text, "?") {
				t.Errorf("%s %s: %q: want statements ending in \";\\n\" and no \"?\" arguments", tc.flavour, name, text)
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: files and placeholders (-want +got):\n%s", tc.flavour, d)
		}
	}
}

// No password may reach a binary log: every flavour's accounts file,
// root's password at initialisation and the restore's password reset turn the session's binary logging off
// before their first statement with a password, and the
// change-source file (which names the replication password) runs on
// replicas, where CHANGE MASTER / CHANGE REPLICATION SOURCE is never
// binlogged. TestMariaDBAccountsStayOutOfTheBinlog reads MariaDB's binlogs.
func TestPodStatementsKeepPasswordsOutOfTheBinlog(t *testing.T) {
	for _, tc := range podCases {
		files, err := PodStatements(tc.flavour, tc.version)
		if err != nil {
			t.Fatal(err)
		}
		quiet := []string{FileAccounts, FileResetPasswords, FileRootPassword, FileInitRootPassword}
		for _, name := range quiet {
			first, _, _ := strings.Cut(files[name], "\n")
			if first != "SET SESSION sql_log_bin = 0;" {
				t.Errorf("%s: %s starts with %q, want binary logging off first", tc.flavour, name, first)
			}
		}
		for name, text := range files {
			if !slices.Contains(quiet, name) && strings.Contains(text, "sql_log_bin") {
				t.Errorf("%s: %s turns binary logging off: only the accounts bootstrap, root's password and the restore may", tc.flavour, name)
			}
		}
	}
}

// The spec's series render the statements today's releases accept: 8.0.23
// on writes like 8.4, and MariaDB 11.x like 10.11, but for semi-sync,
// which MySQL offers from 8.0.26 (its plugins named source and replica).
func TestPodStatementsAcrossSeries(t *testing.T) {
	same := [][2]struct {
		f Flavour
		v string
	}{
		{{MySQL80, "8.0.23"}, {MySQL84, "8.4"}},
		{{MySQL80, "8.0.23"}, {MySQL80, "8.0.36"}},
		{{MariaDB, "10.11"}, {MariaDB, "11.4"}},
	}
	for _, pair := range same {
		a, errA := PodStatements(pair[0].f, pair[0].v)
		b, errB := PodStatements(pair[1].f, pair[1].v)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		_, aSemi := a[FileSemiSyncSourceOn]
		_, bSemi := b[FileSemiSyncSourceOn]
		if want := pair[0].v != "8.0.23"; aSemi != want || !bSemi {
			t.Errorf("%s %s has %s: %v, %s: %v; want %v, true", pair[0].f, pair[0].v, FileSemiSyncSourceOn, aSemi, pair[1].v, bSemi, want)
		}
		delete(a, FileSemiSyncSourceOn)
		delete(b, FileSemiSyncSourceOn)
		if d := cmp.Diff(a, b); d != "" {
			t.Errorf("%s %s and %s differ:\n%s", pair[0].f, pair[0].v, pair[1].v, d)
		}
	}
}

func TestPodStatementsRefuses(t *testing.T) {
	cases := []struct {
		flavour Flavour
		version string
		want    string
	}{
		{MariaDB, "10.6", "need 10.11 or later"},
		{MySQL80, "8.0.16", "CLONE plugin"},
		{MySQL84, "8.0.36", "is mysql-8.0, not mysql-8.4"},
		{MySQL57, "8.4", "is mysql-8.4, not mysql-5.7"},
		{MariaDB, "latest", "parse server version"},
	}
	for _, tc := range cases {
		_, err := PodStatements(tc.flavour, tc.version)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PodStatements(%s, %s) = %v, want an error with %q", tc.flavour, tc.version, err, tc.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	got, err := placeholders("A={{a}}, B={{b_2:int}}, C={{a}}")
	want := []placeholder{{Name: "a"}, {Name: "b_2", Int: true}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("placeholders = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"{{A}}", "{{a:str}}", "{{}}", "{{a b}}"} {
		if _, err := placeholders(bad); err == nil {
			t.Errorf("placeholders(%q) accepted it", bad)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
