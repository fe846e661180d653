package sql

import (
	"context"
	dbsql "database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrWaitTimeout is returned (wrapped) when a wait's deadline passes before
// the replica has executed what it waited for.
var ErrWaitTimeout = errors.New("replica did not catch up before the deadline")

// ErrCannotWait is returned (wrapped) when the server cannot wait: it is not
// a replica or its applier thread is stopped.
var ErrCannotWait = errors.New("server cannot wait: not a replica or replication applier stopped")

// Exec runs the statements in order and stops at the first failure. Errors
// name the statement by its leading keywords only, never its literals, and
// never show the Conn's password.
func (c *Conn) Exec(ctx context.Context, stmts ...Statement) error {
	return c.ExecHiding(ctx, nil, stmts...)
}

// WaitForGTID waits until the replica has executed gtid (MySQL GTID set or
// MariaDB GTID position), at most timeout. It returns an error wrapping
// ErrWaitTimeout when the deadline passes.
func (c *Conn) WaitForGTID(ctx context.Context, gtid string, timeout time.Duration) error {
	return c.wait(ctx, c.adapter.WaitForGTID(gtid, timeout))
}

// WaitForPosition waits until the replica has executed its source's binary
// log up to file and pos, at most timeout.
func (c *Conn) WaitForPosition(ctx context.Context, file string, pos uint64, timeout time.Duration) error {
	return c.wait(ctx, c.adapter.WaitForPosition(file, pos, timeout))
}

// wait runs a wait function; the call's deadline is the wait's timeout plus
// the Conn's, so the server gives the answer before the client gives up.
func (c *Conn) wait(ctx context.Context, w Wait) error {
	ctx, cancel := c.callContext(ctx, w.timeout)
	defer cancel()
	var result dbsql.NullInt64
	if err := c.db.QueryRowContext(ctx, w.SQL, w.Args...).Scan(&result); err != nil {
		return c.errorf(err, nil, "wait for replication on %s", c.name)
	}
	switch {
	case !result.Valid || (result.Int64 < 0 && result.Int64 != w.timeoutResult):
		return fmt.Errorf("wait for replication on %s: %w", c.name, ErrCannotWait)
	case result.Int64 == w.timeoutResult:
		return fmt.Errorf("wait for replication on %s after %s: %w", c.name, w.timeout, ErrWaitTimeout)
	}
	return nil
}

// ExecHiding is Exec for statements that carry secrets as literals (a
// replication password in CHANGE MASTER TO): the server's error messages
// can quote the statement, so each secret is removed from errors too.
func (c *Conn) ExecHiding(ctx context.Context, secrets []string, stmts ...Statement) error {
	for _, s := range stmts {
		callCtx, cancel := c.callContext(ctx, 0)
		_, err := c.db.ExecContext(callCtx, s.SQL, s.Args...)
		cancel()
		if err != nil {
			return c.errorf(err, secrets, "%s on %s", s.summary(), c.name)
		}
	}
	return nil
}

// Column runs a query and returns its first column, one string per row
// (NULL as "").
func (c *Conn) Column(ctx context.Context, s Statement) ([]string, error) {
	rows, err := c.query(ctx, s.SQL, s.Args...)
	if err != nil {
		return nil, c.errorf(err, nil, "%s on %s", s.summary(), c.name)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		v := ""
		if len(r.values) > 0 {
			v, _ = text(r.values[0])
		}
		out = append(out, v)
	}
	return out, nil
}
