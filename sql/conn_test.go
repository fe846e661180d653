package sql

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"
)

// Report runs the adapter's queries for each MySQL release and maps the
// recorded rows: the fake server refuses any query it was not given, so a
// wrong statement for a release fails here.
func TestReportMySQLReleases(t *testing.T) {
	cases := []struct {
		version, replicaQuery, replicaFixture, binlogQuery string
		wantSecondsBehind                                  *int64
	}{
		{"5.7.44-log", "SHOW SLAVE STATUS", mysql57SlaveStatus, "SHOW MASTER STATUS", nil},
		{"8.0.21", "SHOW SLAVE STATUS", mysql80SlaveStatus, "SHOW MASTER STATUS", nil},
		{"8.0.36", "SHOW REPLICA STATUS", mysql80ReplicaStatus, "SHOW MASTER STATUS", ptr[int64](3)},
		{"8.4.3", "SHOW REPLICA STATUS", mysql84ReplicaStatus, "SHOW BINARY LOG STATUS", ptr[int64](0)},
	}
	for _, tc := range cases {
		t.Run(tc.version, func(t *testing.T) {
			srv := newFakeServer()
			c := fakeConn(t, srv, tc.version, "MySQL Community Server - GPL")
			srv.answer(c.adapter.IdentityQuery(), mysql84Identity)
			srv.answer(tc.binlogQuery, mysqlBinlogStatus)
			srv.answer(tc.replicaQuery, tc.replicaFixture)
			rep, err := c.Report(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Name != "fake-0" || rep.ServerID != 2 || rep.Binlog == nil || rep.Binlog.Position != 197 {
				t.Errorf("report identity/binlog wrong: %+v", rep)
			}
			if rep.Replica == nil || rep.Replica.SourcePort != 3306 {
				t.Fatalf("replica status not read: %+v", rep.Replica)
			}
			if d := cmp.Diff(tc.wantSecondsBehind, rep.Replica.SecondsBehind); d != "" {
				t.Errorf("SecondsBehind (-want +got):\n%s", d)
			}
		})
	}
}

// No replica status row means "not a replica"; a failing part is reported
// while the rest of the report is still returned.
func TestReportPartial(t *testing.T) {
	srv := newFakeServer()
	c := fakeConn(t, srv, "8.4.3", "")
	srv.answer(c.adapter.IdentityQuery(), mysql84Identity)
	srv.answer("SHOW REPLICA STATUS", "")
	srv.errs["SHOW BINARY LOG STATUS"] = &mysql.MySQLError{Number: 1227, Message: "Access denied; you need REPLICATION CLIENT"}
	rep, err := c.Report(context.Background())
	if rep == nil || rep.Replica != nil || rep.ServerID != 2 {
		t.Fatalf("partial report: %+v", rep)
	}
	if err == nil || !strings.Contains(err.Error(), "read binary log status of fake-0") {
		t.Errorf("error %v does not name the failed part and server", err)
	}
}

// A server error that echoes the Conn's password must not carry it out, yet
// callers can still read the error number; the statement is named by its
// leading keywords only.
func TestExecErrorHidesPassword(t *testing.T) {
	srv := newFakeServer()
	c := fakeConn(t, srv, "8.4.3", "")
	stmts, err := c.adapter.ChangeSource(ByGTID)
	if err != nil {
		t.Fatal(err)
	}
	const password = "root-secret" // fakeConn's
	srv.errs[stmts[0].SQL] = &mysql.MySQLError{Number: 1064, Message: "You have an error in your SQL syntax near '" +
		strings.TrimPrefix(QuoteString(password), "'") + ", SOURCE_AUTO_POSITION=1' at line 1 (password " + password + ")"}
	err = c.Exec(context.Background(), stmts...)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %s", err)
	}
	if !strings.Contains(err.Error(), "CHANGE REPLICATION SOURCE TO SOURCE_HOST on fake-0") {
		t.Errorf("error does not name statement and server: %s", err)
	}
	var myErr *mysql.MySQLError
	if !errors.As(err, &myErr) || myErr.Number != 1064 || strings.Contains(myErr.Message, "secret") {
		t.Errorf("server error not usable or not clean: %#v", myErr)
	}
}

func TestRedactKeepsCleanErrors(t *testing.T) {
	orig := context.DeadlineExceeded
	if got := redact(orig, "pw"); got != orig {
		t.Errorf("clean error was rewrapped: %v", got)
	}
	got := redact(errors.Join(errors.New("dial with pw failed"), context.DeadlineExceeded), "pw")
	if strings.Contains(got.Error(), "pw") || !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("redacted error %q lost the deadline or kept the secret", got)
	}
}

func TestWaitResults(t *testing.T) {
	cases := []struct {
		version string
		result  any
		want    error
	}{
		{"8.4.3", int64(0), nil},
		{"8.4.3", int64(1), ErrWaitTimeout},
		{"5.7.44", nil, ErrCannotWait},
		{"10.11.6-MariaDB", int64(0), nil},
		{"10.11.6-MariaDB", int64(-1), ErrWaitTimeout},
	}
	for _, tc := range cases {
		srv := newFakeServer()
		c := fakeConn(t, srv, tc.version, "")
		w := c.adapter.WaitForGTID("0-1-5", 1500*time.Millisecond)
		srv.results[w.SQL] = fakeResult{cols: []string{"result"}, rows: [][]any{{tc.result}}}
		err := c.WaitForGTID(context.Background(), "0-1-5", 1500*time.Millisecond)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s result %v: err = %v, want %v", tc.version, tc.result, err, tc.want)
		}
		if got := srv.calls[0].Args; len(got) != 2 || got[0] != "0-1-5" {
			t.Errorf("%s: wait args %v", tc.version, got)
		}
	}
	// Position waits: any count of events waited for is success.
	srv := newFakeServer()
	c := fakeConn(t, srv, "8.0.36", "")
	w := c.adapter.WaitForPosition("binlog.000001", 400, time.Second)
	srv.results[w.SQL] = fakeResult{cols: []string{"result"}, rows: [][]any{{int64(12)}}}
	if err := c.WaitForPosition(context.Background(), "binlog.000001", 400, time.Second); err != nil {
		t.Errorf("position wait: %v", err)
	}
}

// Open dials through the caller's dialer with the target address, and its
// error names the server but not the password.
func TestOpenUsesDialer(t *testing.T) {
	var dialed []string
	dial := func(_ context.Context, addr string) (net.Conn, error) {
		dialed = append(dialed, addr)
		return nil, errors.New("tunnel closed")
	}
	_, err := Open(context.Background(), Target{Name: "mysql-0", Addr: "mysql-0.mysql:3306", User: "root",
		Password: "hunter2-secret", Dial: dial, Timeout: time.Second})
	if err == nil {
		t.Fatal("Open succeeded without a server")
	}
	if len(dialed) == 0 || dialed[0] != "mysql-0.mysql:3306" {
		t.Errorf("dialer calls %v", dialed)
	}
	if !strings.Contains(err.Error(), "mysql-0") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q: want the server's name and no password", err)
	}
	if _, err := Open(context.Background(), Target{Name: "x"}); err == nil {
		t.Error("Open without an address succeeded")
	}
}
