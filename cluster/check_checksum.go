package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mysqlctl/mysqlctl/sql"
)

// checksums waits until every replica has executed what the primary has,
// then compares CHECKSUM TABLE of the user tables on all of them. Replicas
// that cannot catch up are left out of the comparison with a warning: their
// checksums would differ for the wrong reason.
func (c *Cluster) checksums(ctx context.Context, g *gathering, opts CheckOptions) CheckResult {
	var t tally
	primary := g.report.Cluster.Primary
	ps := g.server(primary)
	if primary == "" || ps == nil {
		t.fail("no primary to compare the replicas with")
		return t.result(CheckChecksumsMatch, "")
	}
	rctx, cancel := context.WithTimeout(ctx, c.podTimeout())
	target, err := ps.Report(rctx) // the position now is what replicas must reach
	cancel()
	if err != nil {
		t.fail("cannot read the primary's position: %s", oneLine(err.Error()))
		return t.result(CheckChecksumsMatch, "")
	}
	servers := append([]Server{ps}, c.caughtUp(ctx, g, target, opts, &t)...)
	sums, err := c.checksum(ctx, servers)
	if err != nil {
		t.fail("checksum: %s", oneLine(err.Error()))
		return t.result(CheckChecksumsMatch, "")
	}
	compareChecksums(sums, primary, &t)
	names := make([]string, len(servers))
	for i, s := range servers {
		names[i] = s.Name()
	}
	return t.result(CheckChecksumsMatch, fmt.Sprintf("%d user tables match on %s", len(sums.Tables), strings.Join(names, ", ")))
}

// caughtUp waits on every reachable replica at once and returns those that
// reached the primary's position.
func (c *Cluster) caughtUp(ctx context.Context, g *gathering, target *sql.InstanceReport, opts CheckOptions, t *tally) []Server {
	timeout := opts.CatchUpTimeout
	if timeout <= 0 {
		timeout = DefaultCatchUp
	}
	var replicas []Server
	for _, m := range g.report.Members {
		if m.Pod == target.Name {
			continue
		}
		if s := g.server(m.Pod); s != nil && m.Reachable() {
			replicas = append(replicas, s)
		} else {
			t.skip(m.Pod)
		}
	}
	errs := make([]error, len(replicas))
	var wg sync.WaitGroup
	for i, s := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = waitFor(ctx, s, target, timeout)
		}()
	}
	wg.Wait()
	var ok []Server
	for i, s := range replicas {
		if errs[i] != nil {
			t.warn("%s not compared: %s", s.Name(), oneLine(errs[i].Error()))
			continue
		}
		ok = append(ok, s)
	}
	return ok
}

// waitFor waits until s has executed the primary's transactions: by GTID
// when the flavour has them, else by binary log file and position.
func waitFor(ctx context.Context, s Server, primary *sql.InstanceReport, timeout time.Duration) error {
	switch {
	case primary.Flavour.IsMariaDB() && primary.GTID.BinlogPos != "":
		return s.WaitForGTID(ctx, primary.GTID.BinlogPos, timeout)
	case !primary.Flavour.IsMariaDB() && primary.GTID.Executed != "":
		return s.WaitForGTID(ctx, primary.GTID.Executed, timeout)
	case primary.Binlog != nil:
		return s.WaitForPosition(ctx, primary.Binlog.File, primary.Binlog.Position, timeout)
	}
	return nil // the primary has written nothing: nothing to wait for
}

// compareChecksums fails every table that differs from the primary's or is
// missing somewhere, naming the pods.
func compareChecksums(sums *sql.Checksums, primary string, t *tally) {
	for _, table := range sums.Tables {
		if table.Match() {
			continue
		}
		want := table.Checksums[primary]
		for _, server := range sums.Servers {
			got := table.Checksums[server]
			switch {
			case server == primary && got == nil:
				t.fail("%s is missing on the primary %s", table.Table, primary)
			case server == primary:
			case got == nil:
				t.fail("%s is missing on %s", table.Table, server)
			case want != nil && *got != *want:
				t.fail("%s differs on %s from the primary %s", table.Table, server, primary)
			}
		}
	}
}
