package main

import (
	"fmt"
	"math"
	"slices"
)

// figure is one line of the report: the name bench.sh records its samples
// under, how the table words it, its unit, and the goal its median must
// meet, if it has one. A ratio has no samples of its own: it divides the
// figures named in of.
type figure struct {
	name, label, unit string
	goal              *Goal
	of                []string
}

// Goal is a bound on a figure's median: "median Op Value".
type Goal struct {
	Op    string  `json:"op"` // "<", "<=" or ">="
	Value float64 `json:"value"`
}

// met says whether a median meets the goal.
func (g Goal) met(median float64) bool {
	switch g.Op {
	case "<":
		return median < g.Value
	case "<=":
		return median <= g.Value
	case ">=":
		return median >= g.Value
	}
	panic("benchreport: unknown goal operator " + g.Op)
}

// text is the goal as the table prints it, e.g. "≤ 12 s".
func (g Goal) text(unit string) string {
	op := map[string]string{"<": "<", "<=": "≤", ">=": "≥"}[g.Op]
	if unit == "ratio" {
		return fmt.Sprintf("%s %g", op, g.Value)
	}
	return fmt.Sprintf("%s %g %s", op, g.Value, unit)
}

// figures lists what the report knows, in the order of the table and the
// JSON. Its names are the contract with bench.sh: a figure always appears,
// measured or not, so a reader of bench.json finds the same keys each run.
// The goals are issue 11's.
func figures() []figure {
	fs := []figure{{name: "help", label: "mysqlctl --help (process start included)", unit: "ms", goal: &Goal{"<", 30}}}
	for n := 1; n <= maxServers; n++ {
		f := figure{name: upName(n), label: fmt.Sprintf("up, %d server%s, until ready", n, plural(n)), unit: "s"}
		if n == 3 {
			f.goal = &Goal{"<=", 12}
		}
		fs = append(fs, f)
	}
	fs = append(fs,
		figure{name: "up_5/up_3", label: "up 5 servers / up 3 servers", unit: "ratio", goal: &Goal{"<=", 1.2}, of: []string{"up_5", "up_3"}},
		figure{name: "scale_3_to_5", label: "scale 3 → 5 servers", unit: "s", goal: &Goal{"<=", 7.5}},
		figure{name: "rollout_3", label: "spec-change rollout, 3 servers (up --memory)", unit: "s"},
		figure{name: "rollout_downtime", label: "spec-change rollout: write downtime (its switchovers)", unit: "ms"},
	)
	for n := 1; n <= maxServers; n++ {
		fs = append(fs, figure{name: fmt.Sprintf("down_%d", n), label: fmt.Sprintf("down --purge, %d server%s", n, plural(n)), unit: "s"})
	}
	return append(fs,
		figure{name: "status_1", label: "status, 1 pod", unit: "ms"},
		figure{name: "status_5", label: "status, 5 pods", unit: "ms"},
		figure{name: "status_5/status_1", label: "status 5 pods / 1 pod", unit: "ratio", goal: &Goal{"<=", 1.3}, of: []string{"status_5", "status_1"}},
		figure{name: "status_overlap_5", label: "status, 5 pods: reads at the same time", unit: "pods"},
		figure{name: "status_cpu_1", label: "status, 1 pod: CPU of the whole machine", unit: "ms"},
		figure{name: "status_cpu_5", label: "status, 5 pods: CPU of the whole machine", unit: "ms"},
		figure{name: "status_rss_1", label: "status peak memory (RSS), 1 pod", unit: "MB"},
		figure{name: "status_rss_5", label: "status peak memory (RSS), 5 pods", unit: "MB", goal: &Goal{"<", 60}},
		figure{name: "switchover_downtime", label: "switchover write downtime, 5 servers", unit: "ms"},
		figure{name: "switchover_wall", label: "switchover wall time, 5 servers", unit: "ms"},
		figure{name: "backup_rate", label: "backup throughput", unit: "MB/s"},
		figure{name: "raw_rate", label: "raw tar copy throughput, same API", unit: "MB/s"},
		figure{name: "backup_rate/raw_rate", label: "backup / raw copy", unit: "ratio", goal: &Goal{">=", 0.7}, of: []string{"backup_rate", "raw_rate"}},
		figure{name: "backup_size", label: "backup size", unit: "MB"},
		figure{name: "raw_size", label: "raw copy size (binary logs included)", unit: "MB"},
		figure{name: "insert_p50_semisync_off", label: "insert commit latency p50, semiSync off", unit: "ms"},
		figure{name: "insert_p50_semisync_on", label: "insert commit latency p50, semiSync on", unit: "ms"},
		figure{name: "insert_p50_semisync_on/insert_p50_semisync_off", label: "insert p50 semiSync on / off", unit: "ratio", of: []string{"insert_p50_semisync_on", "insert_p50_semisync_off"}},
		figure{name: "insert_p99_semisync_off", label: "insert commit latency p99, semiSync off", unit: "ms"},
		figure{name: "insert_p99_semisync_on", label: "insert commit latency p99, semiSync on", unit: "ms"},
		figure{name: "insert_rate_semisync_off", label: "inserts per second, semiSync off", unit: "inserts/s"},
		figure{name: "insert_rate_semisync_on", label: "inserts per second, semiSync on", unit: "inserts/s"},
		figure{name: "insert_rate_semisync_on/insert_rate_semisync_off", label: "inserts per second semiSync on / off", unit: "ratio", of: []string{"insert_rate_semisync_on", "insert_rate_semisync_off"}},
		figure{name: "exporter_cpu", label: "metrics exporter at rest, CPU per server", unit: "millicores"},
		figure{name: "exporter_rss", label: "metrics exporter at rest, resident memory per server", unit: "MiB"},
	)
}

// maxServers is the largest cluster up is timed on, and the chart's width.
const maxServers = 5

func upName(n int) string { return fmt.Sprintf("up_%d", n) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// median is the middle sample, or the mean of the middle two for an even
// count; xs must not be empty.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// summary is a figure's median, min and max: the min and max of its
// samples, or for a ratio the widest it can be from its two figures'
// extremes (min of a / max of b, max of a / min of b).
type summary struct{ median, min, max float64 }

func summarize(xs []float64) summary {
	return summary{median(xs), slices.Min(xs), slices.Max(xs)}
}

// ratio divides a by b; ok is false when b could be zero.
func ratio(a, b summary) (s summary, ok bool) {
	if b.min <= 0 {
		return s, false
	}
	return summary{a.median / b.median, a.min / b.max, a.max / b.min}, true
}

// round keeps 4 decimals: means and quotients carry float noise
// (7.104999999) that would only clutter the JSON.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }
