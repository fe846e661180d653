package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SchemaVersion is bench.json's "version": it changes only when a field
// changes meaning or goes away, so that older files stay comparable.
const SchemaVersion = 1

// Report is bench.json (see the package comment).
type Report struct {
	Version  int       `json:"version"`
	Time     time.Time `json:"time"`
	Nproc    int       `json:"nproc"`
	Mysqlctl string    `json:"mysqlctl"`
	Measures []Measure `json:"measures"`
}

// Measure is one figure of the report. Median, Min, Max and Met are null
// when the figure was not measured; Met is null too when it has no goal.
type Measure struct {
	Name    string    `json:"name"`
	Label   string    `json:"label"`
	Unit    string    `json:"unit"`
	Median  *float64  `json:"median"`
	Min     *float64  `json:"min"`
	Max     *float64  `json:"max"`
	Runs    int       `json:"runs"`
	Samples []float64 `json:"samples"`
	Of      []string  `json:"of,omitempty"`
	Goal    *Goal     `json:"goal"`
	Met     *bool     `json:"met"`
}

// samples are the raw values bench.sh recorded, by figure name.
type samples struct {
	values map[string][]float64
	units  map[string]string
	order  []string // names in the order first seen
}

// readSamples parses lines "NAME VALUE UNIT"; blank lines and lines
// starting with # are skipped. A name must keep one unit: two would mean
// bench.sh and this program disagree on what they measure.
func readSamples(r io.Reader) (samples, error) {
	s := samples{values: map[string][]float64{}, units: map[string]string{}}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 3 {
			return s, fmt.Errorf("line %d: %q is not NAME VALUE UNIT", line, text)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return s, fmt.Errorf("line %d: %s: %q is not a number", line, f[0], f[1])
		}
		if u, seen := s.units[f[0]]; seen && u != f[2] {
			return s, fmt.Errorf("line %d: %s in %s, earlier in %s", line, f[0], f[2], u)
		}
		if _, seen := s.units[f[0]]; !seen {
			s.order = append(s.order, f[0])
		}
		s.units[f[0]] = f[2]
		s.values[f[0]] = append(s.values[f[0]], v)
	}
	return s, sc.Err()
}

// newReport computes every figure from the samples: the known figures in
// their order, then any other name the samples hold, so that a measure
// added to bench.sh shows before it is described here.
func newReport(s samples, now time.Time, nproc int, mysqlctl string) (Report, error) {
	r := Report{Version: SchemaVersion, Time: now.UTC().Truncate(time.Second), Nproc: nproc, Mysqlctl: mysqlctl}
	sums := map[string]summary{}
	all := figures()
	for _, name := range s.order {
		if !slices.ContainsFunc(all, func(f figure) bool { return f.name == name }) {
			all = append(all, figure{name: name, label: name, unit: s.units[name]})
		}
	}
	for _, f := range all {
		m := Measure{Name: f.name, Label: f.label, Unit: f.unit, Samples: []float64{}, Of: f.of, Goal: f.goal}
		var sum summary
		ok := false
		if f.of != nil {
			a, aok := sums[f.of[0]]
			b, bok := sums[f.of[1]]
			if aok && bok {
				sum, ok = ratio(a, b)
			}
			m.Runs = min(len(s.values[f.of[0]]), len(s.values[f.of[1]]))
		} else if xs := s.values[f.name]; len(xs) > 0 {
			if u := s.units[f.name]; u != f.unit {
				return r, fmt.Errorf("%s is recorded in %s, but the report knows it in %s", f.name, u, f.unit)
			}
			sum, ok = summarize(xs), true
			m.Runs, m.Samples = len(xs), xs
			sums[f.name] = sum
		}
		if ok {
			med, lo, hi := round(sum.median), round(sum.min), round(sum.max)
			m.Median, m.Min, m.Max = &med, &lo, &hi
			if f.goal != nil {
				met := f.goal.met(med)
				m.Met = &met
			}
		}
		r.Measures = append(r.Measures, m)
	}
	return r, nil
}

// writeJSON writes the report, indented: it is read by people too, who
// should see the goal "<=", not "\u003c=".
func writeJSON(path string, r Report) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeTable prints the report for a person: one line per figure, then
// how many goals were met.
func writeTable(w io.Writer, r Report) error {
	width := 0
	for _, m := range r.Measures {
		width = max(width, utf8.RuneCountInString(m.Label))
	}
	fmt.Fprintf(w, "mysqlctl %s bench, %s, %d CPU(s): median of the runs, min and max\n\n",
		r.Mysqlctl, r.Time.Format(time.RFC3339), r.Nproc)
	fmt.Fprintf(w, "%-*s  %8s %8s %8s  %-5s %4s\n", width, "", "median", "min", "max", "", "runs")
	goals, met := 0, 0
	for _, m := range r.Measures {
		verdict := ""
		if m.Goal != nil {
			goals++
			switch {
			case m.Met == nil:
				verdict = "not measured"
			case *m.Met:
				verdict, met = "met", met+1
			default:
				verdict = "NOT met"
			}
			verdict = fmt.Sprintf("  goal %s: %s", m.Goal.text(m.Unit), verdict)
		}
		runs := strconv.Itoa(m.Runs)
		if m.Of != nil {
			runs = "" // a ratio has no runs of its own
		}
		unit := m.Unit
		if unit == "ratio" {
			unit = ""
		}
		fmt.Fprintf(w, "%-*s  %8s %8s %8s  %-5s %4s%s\n", width, m.Label, number(m.Median), number(m.Min), number(m.Max), unit, runs, verdict)
	}
	_, err := fmt.Fprintf(w, "\ngoals met: %d of %d\n", met, goals)
	return err
}

// number prints a figure with the digits that mean something at its size.
func number(x *float64) string {
	switch {
	case x == nil:
		return "-"
	case math.Abs(*x) >= 100:
		return strconv.FormatFloat(*x, 'f', 0, 64)
	case math.Abs(*x) >= 10:
		return strconv.FormatFloat(*x, 'f', 1, 64)
	}
	return strconv.FormatFloat(*x, 'f', 2, 64)
}
