// Package sql talks to one MySQL or MariaDB server at a time and reasons about
// several.
//
// Open connects through a caller-supplied dialer (a Kubernetes port-forward, a
// pod IP or 127.0.0.1), detects the server's flavour once and picks the
// Adapter that knows that flavour's statements and column names. Conn.Report
// reads an InstanceReport: identity, binary log, GTID state and replica status.
// Analyze derives facts across servers from several reports: the primary,
// replicas that follow the wrong source, errant transactions, how far replicas
// are behind and duplicate server ids. ChecksumTables compares the user tables
// of several servers.
//
// The package is the only author of SQL text, including what the pods run.
// PodStatements renders, per flavour and version, the statement files the
// pod scripts execute (accounts, pointing a replica at its source, starting
// it, cloning, the status queries), built by the Adapter's write side with
// named placeholders for the values only a pod knows; the scripts fill them
// with sql_fill (configs/scripts/statements.sh) and pipe them to the client.
// docs/flavours.md lists the per-flavour facts this relies on.
//
// Results are always read by column name: column names and order differ
// between MySQL 5.7, 8.0, 8.4 and MariaDB, and change between minor releases.
// Passwords are accepted as values and never appear in errors.
package sql
