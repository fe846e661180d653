package sql

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// systemSchemas hold the server's own tables, which legitimately differ
// between servers (mysql.gtid_slave_pos, performance counters, ...).
const systemSchemas = "'mysql', 'information_schema', 'performance_schema', 'sys'"

// Checksums compares CHECKSUM TABLE of every user table across servers.
type Checksums struct {
	// Servers are the names of the servers compared, in the order given.
	Servers []string `json:"servers"`
	// Tables are sorted by name.
	Tables []TableChecksum `json:"tables"`
}

// TableChecksum is one table's checksum on each server.
type TableChecksum struct {
	// Table is "schema.table".
	Table string `json:"table"`
	// Checksums maps a server name to its checksum; nil where the table is
	// missing.
	Checksums map[string]*uint64 `json:"checksums"`
}

// Match reports whether every server has the table with the same checksum.
func (t TableChecksum) Match() bool {
	var first *uint64
	for _, c := range t.Checksums {
		if c == nil {
			return false
		}
		if first == nil {
			first = c
		}
		if *c != *first {
			return false
		}
	}
	return true
}

// Mismatched lists the tables whose checksums differ or that some server lacks.
func (c *Checksums) Mismatched() []string {
	var out []string
	for _, t := range c.Tables {
		if !t.Match() {
			out = append(out, t.Table)
		}
	}
	return out
}

// ChecksumTables runs CHECKSUM TABLE on the union of the user tables of all
// servers (schemas other than mysql, information_schema, performance_schema
// and sys), so a table present on one server only shows as a mismatch.
// Compare servers only while no writes are in flight, e.g. after waiting for
// the replicas to execute the primary's GTIDs; checksums of one table are
// comparable only between servers of the same flavour and row format.
func ChecksumTables(ctx context.Context, conns ...*Conn) (*Checksums, error) {
	out := &Checksums{}
	tables := map[string][2]string{}
	for _, c := range conns {
		out.Servers = append(out.Servers, c.name)
		if err := c.listUserTables(ctx, tables); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out.Tables = append(out.Tables, TableChecksum{Table: name, Checksums: map[string]*uint64{}})
	}
	if len(names) == 0 {
		return out, nil
	}
	for _, c := range conns {
		sums, err := c.checksum(ctx, names, tables)
		if err != nil {
			return nil, err
		}
		for i := range out.Tables {
			out.Tables[i].Checksums[c.name] = sums[out.Tables[i].Table]
		}
	}
	return out, nil
}

// listUserTables adds the server's base tables to tables, keyed
// "schema.table" with the two parts kept for quoting.
func (c *Conn) listUserTables(ctx context.Context, tables map[string][2]string) error {
	rows, err := c.query(ctx, "SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name "+
		"FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "+
		"AND TABLE_SCHEMA NOT IN ("+systemSchemas+")")
	if err != nil {
		return c.errorf(err, nil, "list tables of %s", c.name)
	}
	for _, r := range rows {
		f := &fields{r: r}
		schema, table := f.str("table_schema"), f.str("table_name")
		if err := f.err("table list"); err != nil {
			return c.errorf(err, nil, "list tables of %s", c.name)
		}
		tables[schema+"."+table] = [2]string{schema, table}
	}
	return nil
}

// checksum runs one CHECKSUM TABLE over all tables. The servers print each
// table as "schema.table" and a NULL checksum for a missing one. Each table
// gets the Conn's timeout, as the statement reads every row.
func (c *Conn) checksum(ctx context.Context, names []string, tables map[string][2]string) (map[string]*uint64, error) {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = QuoteIdentifier(tables[n][0]) + "." + QuoteIdentifier(tables[n][1])
	}
	extra := c.timeout * time.Duration(len(names)-1)
	rows, err := c.queryExtra(ctx, extra, "CHECKSUM TABLE "+strings.Join(quoted, ", "))
	if err != nil {
		return nil, c.errorf(err, nil, "checksum tables on %s", c.name)
	}
	sums := map[string]*uint64{}
	for _, r := range rows {
		f := &fields{r: r}
		table := f.str("Table")
		sum := f.nullUint("Checksum")
		if err := f.err("checksum"); err != nil {
			return nil, fmt.Errorf("checksum tables on %s: %w", c.name, err)
		}
		sums[table] = sum
	}
	return sums, nil
}
