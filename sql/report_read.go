package sql

import (
	"context"
	"errors"
	"fmt"
)

// Report reads the server's InstanceReport. When the identity can be read
// but a later part cannot, it returns the report with what it read and an
// error naming each missing part, so a status view can show the rest.
func (c *Conn) Report(ctx context.Context) (*InstanceReport, error) {
	rep, err := c.readIdentity(ctx)
	if err != nil {
		return nil, err
	}
	rep.Name = c.name
	var errs []error
	if rep.LogBin {
		if rep.Binlog, err = c.readBinlogStatus(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if rep.Replica, err = c.readReplicaStatus(ctx); err != nil {
		errs = append(errs, err)
	}
	if rep.SemiSync, err = c.readSemiSync(ctx); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

func (c *Conn) readIdentity(ctx context.Context) (*InstanceReport, error) {
	rows, err := c.query(ctx, c.adapter.IdentityQuery())
	if err == nil && len(rows) != 1 {
		err = fmt.Errorf("got %d rows, want 1", len(rows))
	}
	var rep *InstanceReport
	if err == nil {
		rep, err = c.adapter.parseIdentity(rows[0])
	}
	if err != nil {
		return nil, c.errorf(err, nil, "read identity of %s", c.name)
	}
	return rep, nil
}

// readBinlogStatus returns nil without error when the server prints no row
// (binary logging off).
func (c *Conn) readBinlogStatus(ctx context.Context) (*BinlogStatus, error) {
	rows, err := c.query(ctx, c.adapter.BinlogStatusQuery())
	if err != nil || len(rows) == 0 {
		if err != nil {
			err = c.errorf(err, nil, "read binary log status of %s", c.name)
		}
		return nil, err
	}
	b, err := c.adapter.parseBinlogStatus(rows[0])
	if err != nil {
		return nil, c.errorf(err, nil, "read binary log status of %s", c.name)
	}
	return b, nil
}

// readReplicaStatus returns nil without error when the server is not a
// replica: no row, or a row without a source host (left by RESET SLAVE
// without ALL on some releases).
func (c *Conn) readReplicaStatus(ctx context.Context) (*ReplicaStatus, error) {
	rows, err := c.query(ctx, c.adapter.ReplicaStatusQuery())
	if err != nil || len(rows) == 0 {
		if err != nil {
			err = c.errorf(err, nil, "read replica status of %s", c.name)
		}
		return nil, err
	}
	s, err := c.adapter.parseReplicaStatus(rows[0])
	if err != nil {
		return nil, c.errorf(err, nil, "read replica status of %s", c.name)
	}
	if s.SourceHost == "" {
		return nil, nil
	}
	return s, nil
}
