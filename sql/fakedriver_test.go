package sql

import (
	"context"
	dbsql "database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is a database/sql driver that answers queries from canned
// results, so the whole read path of a Conn (queries chosen by the adapter,
// rows scanned, columns mapped) runs for MySQL flavours without a server.
type fakeServer struct {
	mu      sync.Mutex
	results map[string]fakeResult // exact SQL -> result
	errs    map[string]error      // exact SQL -> error
	calls   []fakeCall
}

type fakeResult struct {
	cols []string
	rows [][]any
}

type fakeCall struct {
	SQL  string
	Args []any
}

func newFakeServer() *fakeServer {
	return &fakeServer{results: map[string]fakeResult{}, errs: map[string]error{}}
}

// answer registers the result of query as one vertical (\G style) row, or
// no row when vertical is empty.
func (s *fakeServer) answer(query, vertical string) {
	cols, vals := verticalRow(vertical)
	res := fakeResult{cols: cols}
	if len(cols) > 0 {
		res.rows = [][]any{vals}
	}
	s.results[query] = res
}

// fakeConn opens a Conn on the fake server with the adapter of version.
func fakeConn(t *testing.T, s *fakeServer, version, comment string) *Conn {
	t.Helper()
	a, err := NewAdapter(ServerInfo{Version: version, VersionComment: comment})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.results[semiSyncVariablesQuery]; !ok {
		s.answer(semiSyncVariablesQuery, "") // no plugin loaded, unless a test says so
	}
	db := dbsql.OpenDB(s)
	t.Cleanup(func() { db.Close() })
	return &Conn{name: "fake-0", db: db, adapter: a, timeout: time.Second, secrets: []string{"root-secret"}}
}

func (s *fakeServer) Connect(context.Context) (driver.Conn, error) { return &fakeDBConn{s}, nil }
func (s *fakeServer) Driver() driver.Driver                        { return fakeDriver{} }

func (s *fakeServer) run(query string, args []driver.NamedValue) (fakeResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	call := fakeCall{SQL: query}
	for _, a := range args {
		call.Args = append(call.Args, a.Value)
	}
	s.calls = append(s.calls, call)
	if err := s.errs[query]; err != nil {
		return fakeResult{}, err
	}
	if res, ok := s.results[query]; ok {
		return res, nil
	}
	if strings.HasPrefix(query, "SELECT") || strings.HasPrefix(query, "SHOW") {
		return fakeResult{}, fmt.Errorf("fake server: unexpected query %q", query)
	}
	return fakeResult{}, nil
}

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, fmt.Errorf("use the connector") }

type fakeDBConn struct{ s *fakeServer }

func (c *fakeDBConn) Prepare(string) (driver.Stmt, error) { return nil, fmt.Errorf("no prepare") }
func (c *fakeDBConn) Close() error                        { return nil }
func (c *fakeDBConn) Begin() (driver.Tx, error)           { return nil, fmt.Errorf("no tx") }

func (c *fakeDBConn) QueryContext(_ context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	res, err := c.s.run(q, args)
	if err != nil {
		return nil, err
	}
	return &fakeRows{res: res}, nil
}

func (c *fakeDBConn) ExecContext(_ context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if _, err := c.s.run(q, args); err != nil {
		return nil, err
	}
	return driver.RowsAffected(0), nil
}

type fakeRows struct {
	res  fakeResult
	next int
}

func (r *fakeRows) Columns() []string { return r.res.cols }
func (r *fakeRows) Close() error      { return nil }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.next >= len(r.res.rows) {
		return io.EOF
	}
	for i, v := range r.res.rows[r.next] {
		dest[i] = v
	}
	r.next++
	return nil
}

// verticalRow reads a row written like the mysql client's \G output:
// "Column: value" per line, NULL for SQL NULL, a literal \n for a newline
// inside a value (MySQL prints GTID sets over several lines). Values come
// back as []byte, as the text protocol delivers them.
func verticalRow(text string) (cols []string, vals []any) {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.ReplaceAll(strings.TrimSpace(value), `\n`, "\n")
		cols = append(cols, strings.TrimSpace(name))
		if value == "NULL" {
			vals = append(vals, nil)
		} else {
			vals = append(vals, []byte(value))
		}
	}
	return cols, vals
}

// mustRow builds a row from vertical text.
func mustRow(t *testing.T, vertical string) row {
	t.Helper()
	r, err := newRow(verticalRow(vertical))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
