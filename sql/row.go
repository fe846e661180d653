package sql

import (
	dbsql "database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// row is one result row addressed by column name. Every result is read this
// way, never by position, because column order and names change between
// server versions. It is built from plain columns and values so tests can
// feed recorded column sets without a server.
type row struct {
	index  map[string]int // lower-cased column name -> position
	values []any
}

// newRow pairs column names with values. A value is nil for SQL NULL, or
// []byte, string, int64, uint64, float64, bool or time.Time as the driver
// returns them.
func newRow(columns []string, values []any) (row, error) {
	if len(columns) != len(values) {
		return row{}, fmt.Errorf("row has %d columns but %d values", len(columns), len(values))
	}
	r := row{index: make(map[string]int, len(columns)), values: values}
	for i, c := range columns {
		r.index[strings.ToLower(c)] = i
	}
	return r, nil
}

// value returns the named column's value; the name is matched ignoring case
// (servers disagree, e.g. Get_Source_public_key).
func (r row) value(name string) (any, bool) {
	i, ok := r.index[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	return r.values[i], true
}

// scanRows reads every row of rows. Scanning into *any makes database/sql
// copy the driver's bytes, so the rows stay valid after the next Next.
func scanRows(rows *dbsql.Rows) ([]row, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r, err := newRow(cols, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// text converts a driver value to its text form; null is true for SQL NULL.
func text(v any) (s string, null bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case []byte:
		return string(t), false
	case string:
		return t, false
	case int64:
		return strconv.FormatInt(t, 10), false
	case uint64:
		return strconv.FormatUint(t, 10), false
	case bool:
		if t {
			return "1", false
		}
		return "0", false
	case time.Time:
		return t.Format("2006-01-02 15:04:05"), false
	default:
		return fmt.Sprint(t), false
	}
}

// parseBool reads the ways servers print a boolean variable or column.
func parseBool(s string) (bool, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "1", "ON", "YES", "TRUE":
		return true, nil
	case "0", "OFF", "NO", "FALSE", "":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", s)
}
