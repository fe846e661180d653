// Command benchreport turns the raw samples make bench records into its
// figures: it prints them as a table, writes them to bench.json, and draws
// up's wall time against the number of servers to bench-up.png. It is a
// module of its own so that the plotting library stays out of mysqlctl's
// dependencies.
//
// usage: benchreport -samples FILE [-out DIR] [-mysqlctl VERSION]
//
// The samples file has one line per run of one measure: "NAME VALUE UNIT",
// e.g. "up_3 9.412 s" (e2e/bench.sh writes it). Every run of a measure is a
// line of its own; this program takes their median, min and max.
//
// bench.json, version 1, is one object:
//
//	version   1; changes only when a field changes meaning or goes away
//	time      when the report was made, RFC 3339, UTC
//	nproc     the CPUs this machine offers the bench (what nproc prints)
//	mysqlctl  the version of the binary measured ("dev" for a plain build)
//	measures  one object per figure, always all of them, in a fixed order:
//	  name     the figure's key, e.g. "up_3", "status_5/status_1"
//	  label    what it is, in words
//	  unit     s, ms, MB, MB/s, pods, or ratio
//	  median   the median of the runs (of an even count: the mean of the
//	           middle two); a ratio divides the medians of the two figures
//	           named in "of"
//	  min, max the extremes of the runs; for a ratio, the extremes it can
//	           take from its figures' (min of a / max of b, max of a / min
//	           of b)
//	  runs     how many runs (a ratio: the fewer of its two figures')
//	  samples  every run's value, in the order run ([] for a ratio)
//	  of       for a ratio only: [numerator, denominator]
//	  goal     null, or {"op": "<" | "<=" | ">=", "value": N}: what the
//	           median must be to meet it
//	  met      true or false against the goal; null without a goal
//	median, min, max and met are null for a figure that was not measured
//	(e.g. peak memory without /usr/bin/time). Names this program does not
//	know are reported after the known ones, with no goal.
//
// make bench is figures, not pass/fail: benchreport exits 0 whether or
// not the goals are met, and non-zero only when it cannot report.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Names of the files written in -out.
const (
	jsonFile  = "bench.json"
	chartFile = "bench-up.png"
)

func main() {
	samplesPath := flag.String("samples", "", "file of raw samples, one \"NAME VALUE UNIT\" a line")
	out := flag.String("out", ".", "directory to write "+jsonFile+" and "+chartFile+" in")
	version := flag.String("mysqlctl", "dev", "version of the mysqlctl measured, for "+jsonFile)
	flag.Parse()
	if *samplesPath == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: benchreport -samples FILE [-out DIR] [-mysqlctl VERSION]")
		os.Exit(2)
	}
	// runtime.NumCPU reads the same affinity mask as nproc.
	if err := run(*samplesPath, *out, *version, time.Now(), runtime.NumCPU(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// run reads the samples, prints the table to stdout and writes the JSON
// and the chart in outDir; where they went goes to stderr, away from the
// table.
func run(samplesPath, outDir, version string, now time.Time, nproc int, stdout, stderr io.Writer) error {
	f, err := os.Open(samplesPath)
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := readSamples(f)
	if err != nil {
		return fmt.Errorf("%s: %w", samplesPath, err)
	}
	r, err := newReport(s, now, nproc, version)
	if err != nil {
		return fmt.Errorf("%s: %w", samplesPath, err)
	}
	if err := writeTable(stdout, r); err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	jsonPath := filepath.Join(outDir, jsonFile)
	if err := writeJSON(jsonPath, r); err != nil {
		return err
	}
	chartPath := filepath.Join(outDir, chartFile)
	drawn, err := writeChart(chartPath, r.Measures)
	if err != nil {
		return fmt.Errorf("%s: %w", chartPath, err)
	}
	if !drawn {
		// An old chart next to a new bench.json would show another run.
		if err := os.Remove(chartPath); err != nil && !os.IsNotExist(err) {
			return err
		}
		chartPath = "no chart: up was not measured"
	}
	fmt.Fprintf(stderr, "bench: wrote %s and %s\n", jsonPath, chartPath)
	return nil
}
