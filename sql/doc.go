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
// Replication control statements are produced as data by the Adapter, so they
// can be tested without a server and printed safely (Statement.String hides
// passwords), and are run by Conn.Exec or the small Conn helpers built on it.
//
// Results are always read by column name: column names and order differ
// between MySQL 5.7, 8.0, 8.4 and MariaDB, and change between minor releases.
// Passwords are accepted as values and never appear in errors.
package sql
