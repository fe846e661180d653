package cmd

import (
	"fmt"
	"io"

	"github.com/mysqlctl/mysqlctl/cluster"
)

// printCheck prints a check report: the summary line, one row per check
// and a verdict line; or the report as JSON/YAML.
func printCheck(w io.Writer, r *cluster.CheckReport, format outputFormat) error {
	if format == outputJSON || format == outputYAML {
		return writeData(w, format, r)
	}
	if _, err := fmt.Fprintln(w, summaryLine(r.Cluster)); err != nil {
		return err
	}
	rows := make([][]string, len(r.Checks))
	for i, c := range r.Checks {
		rows[i] = []string{c.Name, string(c.Verdict), c.Detail}
	}
	if err := writeTable(w, []string{"CHECK", "RESULT", "DETAIL"}, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, verdictLine(r))
	return err
}

// verdictLine counts the verdicts: "FAIL: 2 of 11 checks failed, 1 warned".
func verdictLine(r *cluster.CheckReport) string {
	counts := map[cluster.Verdict]int{}
	for _, c := range r.Checks {
		counts[c.Verdict]++
	}
	switch r.Verdict {
	case cluster.Fail:
		return fmt.Sprintf("FAIL: %d of %d checks failed, %d warned", counts[cluster.Fail], len(r.Checks), counts[cluster.Warn])
	case cluster.Warn:
		return fmt.Sprintf("WARN: %d of %d checks passed, %d warned", counts[cluster.Pass], len(r.Checks), counts[cluster.Warn])
	}
	return fmt.Sprintf("PASS: all %d checks passed", len(r.Checks))
}
