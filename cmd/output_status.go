package cmd

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/mysqlctl/mysqlctl/cluster"
)

// printStatus prints a status report in the chosen format.
func printStatus(w io.Writer, r *cluster.StatusReport, format outputFormat) error {
	if format == outputJSON || format == outputYAML {
		return writeData(w, format, r)
	}
	if _, err := fmt.Fprintln(w, summaryLine(r.Cluster)); err != nil {
		return err
	}
	header, rows := statusTable(r, format == outputWide)
	if err := writeTable(w, header, rows); err != nil {
		return err
	}
	writeList(w, "Problems", statusProblems(r))
	writeList(w, "Errors", statusErrors(r))
	return nil
}

// summaryLine is the cluster in one line: "cluster mysql in namespace db:
// MariaDB 10.11.6, primary mysql-0 (writes: mysql-primary), 3/3 ready, 2/2
// replicating, worst lag 0s (mysql-1)". A record that names another pod
// than the one that takes writes is said too, and semi-sync when on.
func summaryLine(c cluster.ClusterSummary) string {
	server := c.Server()
	if server == "" {
		server = unknown + " server"
	}
	primary := orNone(c.Primary)
	if c.WriteEndpoint != "" {
		primary += " (writes: " + c.WriteEndpoint + ")"
	}
	if c.RecordedPrimary != "" && c.RecordedPrimary != c.Primary {
		primary += ", recorded primary " + c.RecordedPrimary
	}
	line := fmt.Sprintf("cluster %s in namespace %s: %s, primary %s, %d/%d ready, %d/%d replicating, worst lag %s",
		c.Name, c.Namespace, server, primary, c.ReadyPods, c.Pods, c.Replicating, c.Replicas, worstLag(c))
	if c.SemiSync != "" {
		line += ", semi-sync " + c.SemiSync
	}
	return line
}

func worstLag(c cluster.ClusterSummary) string {
	switch {
	case c.WorstLagSeconds != nil:
		return fmt.Sprintf("%ds (%s)", *c.WorstLagSeconds, c.WorstLagPod)
	case c.WorstLagPod != "":
		return fmt.Sprintf("%s (%s)", unknown, c.WorstLagPod)
	}
	return none
}

// statusTable is one row per member; wide adds GTID, UUID, version, node
// and age.
func statusTable(r *cluster.StatusReport, wide bool) ([]string, [][]string) {
	header := []string{"POD", "ROLE", "READY", "SERVER-ID", "READ-ONLY", "BINLOG", "SOURCE", "IO/SQL", "LAG", "ERROR"}
	if wide {
		header = append(header, "GTID-EXECUTED", "SERVER-UUID", "VERSION", "NODE", "AGE")
	}
	rows := make([][]string, 0, len(r.Members))
	for _, m := range r.Members {
		row := []string{m.Pod, string(m.Role), fmt.Sprintf("%d/%d", m.ReadyContainers, m.Containers),
			serverID(m), readOnly(m), binlog(m), source(m), threads(m), lag(m), errorCell(m)}
		if wide {
			row = append(row, known(m, orNone(m.GTIDExecuted)), known(m, orNone(m.ServerUUID)), known(m, orNone(cluster.ShortVersion(m.Version))), orNone(m.Node), age(r, m))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// known returns s for a member whose server was read, else <unknown>.
func known(m cluster.Member, s string) string {
	if !m.Reachable() {
		return unknown
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func serverID(m cluster.Member) string {
	if m.ServerID == nil {
		return unknown
	}
	return strconv.FormatUint(uint64(*m.ServerID), 10)
}

// readOnly shows read_only, then /super_read_only where the flavour has it:
// "ON", "OFF" (MariaDB); "ON/ON", "ON/OFF", "OFF/OFF" (MySQL).
func readOnly(m cluster.Member) string {
	if m.ReadOnly == nil {
		return unknown
	}
	s := onOff(*m.ReadOnly)
	if m.SuperReadOnly != nil {
		s += "/" + onOff(*m.SuperReadOnly)
	}
	return s
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

func binlog(m cluster.Member) string {
	if m.BinlogPosition == nil {
		return known(m, none)
	}
	return fmt.Sprintf("%s:%d", m.BinlogFile, *m.BinlogPosition)
}

// source names the member a replica reads from, else its host:port.
func source(m cluster.Member) string {
	rep := m.Replication
	switch {
	case rep == nil:
		return known(m, none)
	case rep.SourcePod != "":
		return rep.SourcePod
	}
	return rep.Source
}

func threads(m cluster.Member) string {
	if m.Replication == nil {
		return known(m, none)
	}
	return m.Replication.IOThread + "/" + m.Replication.SQLThread
}

// lag is Seconds_Behind; <unknown> when the server does not know it (a
// thread stopped), never 0.
func lag(m cluster.Member) string {
	switch {
	case m.Replication == nil:
		return known(m, none)
	case m.Replication.SecondsBehind == nil:
		return unknown
	}
	return fmt.Sprintf("%ds", *m.Replication.SecondsBehind)
}

// errorCell points at the full text under the table: "unreachable" when
// the server could not be read, "partial" when only part of it, else the
// replication thread errors by number.
func errorCell(m cluster.Member) string {
	switch {
	case !m.Reachable() && m.Error != "":
		return "unreachable"
	case m.Error != "":
		return "partial"
	case m.Replication == nil:
		return none
	}
	var parts []string
	if e := m.Replication.LastIOError; e != nil {
		parts = append(parts, fmt.Sprintf("IO %d", e.Errno))
	}
	if e := m.Replication.LastSQLError; e != nil {
		parts = append(parts, fmt.Sprintf("SQL %d", e.Errno))
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, ",")
}

func age(r *cluster.StatusReport, m cluster.Member) string {
	if m.CreatedAt == nil {
		return unknown
	}
	return duration.HumanDuration(r.ObservedAt.Sub(*m.CreatedAt))
}

// statusProblems are missing objects and what the replication analysis
// found wrong.
func statusProblems(r *cluster.StatusReport) []string {
	var out []string
	for _, o := range r.Objects {
		if !o.Present && o.Error == "" {
			out = append(out, fmt.Sprintf("%s %s is missing", o.Kind, o.Name))
		}
	}
	return append(out, r.Cluster.Problems...)
}

// statusErrors are the cluster's errors, then each member's by pod, then
// the replication errors the servers report.
func statusErrors(r *cluster.StatusReport) []string {
	out := append([]string{}, r.Errors...)
	for _, o := range r.Objects {
		if o.Error != "" {
			out = append(out, fmt.Sprintf("%s %s: %s", o.Kind, o.Name, o.Error))
		}
	}
	for _, m := range r.Members {
		if m.Error != "" && !slices.Contains(r.Errors, m.Error) {
			out = append(out, fmt.Sprintf("%s: %s", m.Pod, m.Error))
		}
		if m.Replication != nil && m.Replication.LastError != "" {
			out = append(out, fmt.Sprintf("%s: %s", m.Pod, m.Replication.LastError))
		}
	}
	return out
}

// writeList prints "\nTitle:\n  line" blocks under a table; nothing when empty.
func writeList(w io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}
