package cmd

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster"
)

func statusFixtures() map[string]*cluster.StatusReport {
	return map[string]*cluster.StatusReport{
		"healthy":     healthyFixture(),
		"degraded":    degradedFixture(),
		"unreachable": unreachableFixture(),
		"mysql":       mysqlFixture(),
	}
}

// TestStatusGolden prints fixed reports in every format; rewrite the files
// with go test ./cmd -run Golden -update.
func TestStatusGolden(t *testing.T) {
	formats := map[outputFormat]string{outputTable: ".txt", outputWide: "-wide.txt", outputJSON: ".json", outputYAML: ".yaml"}
	for name, report := range statusFixtures() {
		for format, suffix := range formats {
			t.Run(name+suffix, func(t *testing.T) {
				var out bytes.Buffer
				if err := printStatus(&out, report, format); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "status-"+name+suffix), out.String())
			})
		}
	}
}

func TestCheckGolden(t *testing.T) {
	for name, report := range statusFixtures() {
		checks := cluster.Evaluate(report, cluster.CheckOptions{MaxLag: cluster.DefaultMaxLag})
		r := &cluster.CheckReport{APIVersion: cluster.ReportAPIVersion, Kind: cluster.KindCheck, ObservedAt: report.ObservedAt,
			Cluster: report.Cluster, Verdict: cluster.Worst(checks), Checks: checks}
		for format, suffix := range map[outputFormat]string{outputTable: ".txt", outputJSON: ".json"} {
			t.Run(name+suffix, func(t *testing.T) {
				var out bytes.Buffer
				if err := printCheck(&out, r, format); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "check-"+name+suffix), out.String())
			})
		}
	}
}

// Every member carries every documented key, null when unknown: scripts
// can rely on the keys being there.
func TestStatusJSONKeysAlwaysPresent(t *testing.T) {
	var out bytes.Buffer
	if err := printStatus(&out, unreachableFixture(), outputJSON); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cluster map[string]any   `json:"cluster"`
		Members []map[string]any `json:"members"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := []string{"pod", "role", "ready", "serverID", "readOnly", "superReadOnly", "binlogFile", "binlogPosition", "gtidExecuted", "replication", "error"}
	for _, m := range doc.Members {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("member %v lacks key %q", m["pod"], k)
			}
		}
	}
	replication := doc.Members[1]["replication"].(map[string]any)
	for _, k := range []string{"source", "ioRunning", "sqlRunning", "secondsBehind", "lastError"} {
		if _, ok := replication[k]; !ok {
			t.Errorf("replication lacks key %q", k)
		}
	}
	if doc.Members[2]["serverID"] != nil || doc.Members[2]["replication"] != nil {
		t.Errorf("unreachable member should have null serverID and replication: %v", doc.Members[2])
	}
}
