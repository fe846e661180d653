package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMedianOfOddAndEvenCounts(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5}, // the mean of the middle two
		{[]float64{7, 7}, 7},
	} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %g, want %g", c.xs, got, c.want)
		}
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if !slices.Equal(xs, []float64{3, 1, 2}) {
		t.Errorf("median reordered its input: %v (the JSON keeps the samples in the order run)", xs)
	}
}

func TestGoals(t *testing.T) {
	for _, c := range []struct {
		goal   Goal
		median float64
		want   bool
	}{
		{Goal{"<", 30}, 29.9, true},
		{Goal{"<", 30}, 30, false},
		{Goal{"<=", 12}, 12, true},
		{Goal{"<=", 12}, 12.01, false},
		{Goal{">=", 0.7}, 0.7, true},
		{Goal{">=", 0.7}, 0.69, false},
	} {
		if got := c.goal.met(c.median); got != c.want {
			t.Errorf("%s %g met by %g: %v, want %v", c.goal.Op, c.goal.Value, c.median, got, c.want)
		}
	}
}

// synthetic is a bench run whose figures meet some goals and miss others.
const synthetic = `# written by a test
help 12 ms
help 14 ms
help 11 ms
up_1 8 s
up_1 9 s
up_1 7 s
up_2 9 s
up_3 10 s
up_3 11 s
up_3 13 s
up_3 12 s
up_5 13.2 s
scale_3_to_5 8 s
status_1 80 ms
status_5 100 ms
backup_rate 60 MB/s
raw_rate 100 MB/s
made_up 3 widgets
`

func report(t *testing.T, text string) Report {
	t.Helper()
	s, err := readSamples(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	r, err := newReport(s, time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), 2, "v9")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportFigures(t *testing.T) {
	byName := map[string]Measure{}
	for _, m := range report(t, synthetic).Measures {
		byName[m.Name] = m
	}
	for _, c := range []struct {
		name               string
		median, min, max   float64
		runs               int
		met, unmet, nogoal bool
	}{
		{name: "help", median: 12, min: 11, max: 14, runs: 3, met: true},
		{name: "up_3", median: 11.5, min: 10, max: 13, runs: 4, met: true},
		{name: "up_5/up_3", median: 13.2 / 11.5, min: 13.2 / 13, max: 13.2 / 10, runs: 1, met: true},
		{name: "scale_3_to_5", median: 8, min: 8, max: 8, runs: 1, unmet: true},
		{name: "status_5/status_1", median: 1.25, min: 1.25, max: 1.25, runs: 1, met: true},
		{name: "backup_rate/raw_rate", median: 0.6, min: 0.6, max: 0.6, runs: 1, unmet: true},
		{name: "made_up", median: 3, min: 3, max: 3, runs: 1, nogoal: true},
	} {
		m, ok := byName[c.name]
		if !ok || m.Median == nil {
			t.Errorf("%s: missing or not measured: %+v", c.name, m)
			continue
		}
		if *m.Median != round(c.median) || *m.Min != round(c.min) || *m.Max != round(c.max) || m.Runs != c.runs {
			t.Errorf("%s: median %g min %g max %g runs %d, want %g %g %g %d", c.name, *m.Median, *m.Min, *m.Max, m.Runs, round(c.median), round(c.min), round(c.max), c.runs)
		}
		switch {
		case c.nogoal && m.Met != nil, !c.nogoal && m.Met == nil:
			t.Errorf("%s: met %v, goal %v", c.name, m.Met, m.Goal)
		case m.Met != nil && *m.Met != c.met:
			t.Errorf("%s: met %v, want %v", c.name, *m.Met, c.met)
		}
	}
	// Not measured: present, with nulls, so the JSON keeps its keys.
	if m := byName["status_rss_5"]; m.Name == "" || m.Median != nil || m.Met != nil || m.Goal == nil || m.Runs != 0 {
		t.Errorf("status_rss_5 unmeasured: %+v, want it listed with its goal and no median", m)
	}
}

func TestBadSamplesAreRefused(t *testing.T) {
	for _, text := range []string{
		"up_1 7\n",                  // no unit
		"up_1 seven s\n",            // no number
		"up_1 NaN s\n",              // no number either
		"made_up 1 s\nmade_up 2 ms", // two units for one name
	} {
		if _, err := readSamples(strings.NewReader(text)); err == nil {
			t.Errorf("%q: accepted", text)
		}
	}
	s, err := readSamples(strings.NewReader("up_1 7000 ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newReport(s, time.Now(), 1, ""); err == nil {
		t.Error("up_1 in ms accepted: the report knows it in s")
	}
}

// TestRunWritesJSONAndChart runs the program's whole path on the synthetic
// samples: the table on stdout, bench.json of the documented shape, and a
// PNG that decodes.
func TestRunWritesJSONAndChart(t *testing.T) {
	dir := t.TempDir()
	samplesPath := filepath.Join(dir, "samples")
	if err := os.WriteFile(samplesPath, []byte(synthetic), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if err := run(samplesPath, out, "v9", time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), 2, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	table := stdout.String()
	for _, want := range []string{"goal ≤ 12 s: met", "goal ≤ 7.5 s: NOT met", "goal ≥ 0.7: NOT met", "goal < 60 MB: not measured", "goals met: 4 of 7"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	raw, err := os.ReadFile(filepath.Join(out, jsonFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != 1.0 || doc["nproc"] != 2.0 || doc["time"] != "2025-01-02T03:04:05Z" || doc["mysqlctl"] != "v9" {
		t.Errorf("header: %v", doc)
	}
	measures, _ := doc["measures"].([]any)
	if len(measures) != len(figures())+1 {
		t.Fatalf("%d measures, want every known figure and made_up", len(measures))
	}
	keys := []string{"goal", "label", "max", "median", "met", "min", "name", "runs", "samples", "unit"}
	for _, m := range measures {
		m := m.(map[string]any)
		got := slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if k != "of" && !yield(k) {
					return
				}
			}
		})
		if !slices.Equal(got, keys) {
			t.Errorf("%v: keys %v, want %v", m["name"], got, keys)
		}
		if _, isList := m["samples"].([]any); !isList {
			t.Errorf("%v: samples %v, want a list, [] when none", m["name"], m["samples"])
		}
	}
	if !strings.Contains(string(raw), `"op": "<="`) {
		t.Errorf("goals are escaped in the JSON:\n%s", raw)
	}

	f, err := os.Open(filepath.Join(out, chartFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", chartFile, err)
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
		t.Errorf("chart is %v, too small to read", b)
	}
}

// A run that did not time up leaves no chart, not an old one.
func TestNoUpNoChart(t *testing.T) {
	dir := t.TempDir()
	samplesPath := filepath.Join(dir, "samples")
	stale := filepath.Join(dir, chartFile)
	for path, text := range map[string]string{samplesPath: "help 10 ms\n", stale: "an earlier run"} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(samplesPath, dir, "dev", time.Now(), 1, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the earlier chart is still there (%v)", err)
	}
	if !strings.Contains(stderr.String(), "no chart") {
		t.Errorf("stderr does not say there is no chart: %q", stderr.String())
	}
}
