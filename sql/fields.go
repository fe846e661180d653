package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// fields reads typed values out of a row by column name and collects every
// missing column and unreadable value, so one error lists them all (a wrong
// column set shows up at once, not one column per run).
type fields struct {
	r       row
	missing []string
	bad     []string
}

// get returns the column's text and whether it is NULL. Every column is
// required: a missing one is recorded, and reads as NULL.
func (f *fields) get(name string) (string, bool) {
	v, ok := f.r.value(name)
	if !ok {
		f.missing = append(f.missing, name)
		return "", true
	}
	return text(v)
}

// str reads a required text column; NULL reads as "".
func (f *fields) str(name string) string {
	s, _ := f.get(name)
	return s
}

// uint reads a required unsigned number; NULL or "" reads as 0.
func (f *fields) uint(name string) uint64 {
	s, null := f.get(name)
	if null || s == "" {
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		f.bad = append(f.bad, fmt.Sprintf("%s=%q", name, s))
	}
	return n
}

// nullUint reads a required unsigned number, keeping NULL as nil.
func (f *fields) nullUint(name string) *uint64 {
	if s, null := f.get(name); null || strings.TrimSpace(s) == "" {
		return nil
	}
	n := f.uint(name)
	return &n
}

// nullInt reads a required signed number, keeping NULL as nil.
func (f *fields) nullInt(name string) *int64 {
	s, null := f.get(name)
	if null {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		f.bad = append(f.bad, fmt.Sprintf("%s=%q", name, s))
		return nil
	}
	return &n
}

// boolean reads a required ON/OFF, 1/0 or Yes/No column.
func (f *fields) boolean(name string) bool {
	s, _ := f.get(name)
	b, err := parseBool(s)
	if err != nil {
		f.bad = append(f.bad, fmt.Sprintf("%s=%q", name, s))
	}
	return b
}

// err reports the missing columns and bad values met so far, or nil.
func (f *fields) err(what string) error {
	var parts []string
	if len(f.missing) > 0 {
		parts = append(parts, "missing columns "+strings.Join(f.missing, ", "))
	}
	if len(f.bad) > 0 {
		parts = append(parts, "unreadable values "+strings.Join(f.bad, ", "))
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("read %s: %s", what, strings.Join(parts, "; "))
}
