package cluster

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// PromoteOptions are the choices of `mysqlctl promote`.
type PromoteOptions struct {
	// Pod is the replica to promote; "" picks the one no other received
	// more than (mostReceived).
	Pod string
	// Force promotes a replica although another one has applied more.
	Force bool
	// CatchUp bounds how long the replica may take to apply what it
	// received, and what a fenced old primary wrote.
	CatchUp time.Duration
	// Adopt records Pod as the primary when it already is the one writable
	// server (a half-done role change, a deleted record), changing nothing
	// on the servers but the others' source.
	Adopt bool
}

// Promote makes a replica the primary when the recorded primary is gone or
// its data lost (a failover): what the old primary never sent is lost. It
// refuses while the recorded primary is a healthy writable primary (that is
// a switchover's job), and a replica behind another unless Force.
func (c *Cluster) Promote(ctx context.Context, opts PromoteOptions) (*RoleChange, error) {
	change, err := c.promote(ctx, opts)
	if err != nil {
		return change, fmt.Errorf("promote %s in %s: %w", cmp.Or(opts.Pod, "a replica"), c.name, err)
	}
	return change, nil
}

func (c *Cluster) promote(ctx context.Context, opts PromoteOptions) (*RoleChange, error) {
	if opts.CatchUp <= 0 {
		opts.CatchUp = DefaultCatchUp
	}
	if opts.Adopt {
		return c.adopt(ctx, opts.Pod)
	}
	r, err := c.openRoleChange(ctx)
	if err != nil {
		return nil, err
	}
	defer r.g.close()
	if opts.Pod == "" {
		if opts.Pod, err = mostReceived(r); err != nil {
			return nil, err
		}
		c.say(fmt.Sprintf("promoting %s: no other replica received more", opts.Pod))
	}
	from, to := r.primary, opts.Pod
	if _, err := memberOrdinal(c.name, to, int32(len(r.g.slots))); err != nil {
		return nil, err
	}
	if err := c.refuseChangeInForce(r.rec); err != nil {
		return nil, err
	}
	if to == from {
		return c.reopen(ctx, r, to)
	}
	if err := c.refuseLiveOldPrimary(r, from, to, opts.Force); err != nil {
		return nil, err
	}
	target, rep := r.g.server(to), r.report(to)
	if target == nil || rep == nil || !rep.IsReplica() {
		return nil, fmt.Errorf("%s cannot be promoted: it is not an answering replica (%s)", to, memberState(r.member(to)))
	}
	if err := sql.CanMovePrimary(target.Adapter()); err != nil {
		return nil, err
	}
	ahead := aheadOf(r, to, rep)
	if len(ahead) > 0 && !opts.Force {
		return nil, fmt.Errorf("%s received transactions %s has not: promote the one with the most (or pass --force to lose them)", strings.Join(ahead, ", "), to)
	}
	if err := refuseDelayed(rep, to, opts.Force); err != nil {
		return nil, err
	}
	if err := refuseStoppedApplier(rep, to, opts.Force); err != nil {
		return nil, err
	}
	if rep.Replica.SQLDelay == 0 {
		c.say(fmt.Sprintf("waiting for %s to apply what it received", to))
		if rep, err = c.waitApplied(ctx, target, opts.CatchUp); err != nil {
			return nil, err
		}
	}
	lost := fmt.Sprintf("transactions %s committed but never sent to a replica are lost", from)
	if semiSyncConfigured(rep) && len(ahead) == 0 {
		lost = fmt.Sprintf("semi-sync is on and %s holds all any replica received: no transaction %s acknowledged is lost, unless it had fallen back to asynchronous replication (check says so while it happens)", to, from)
	}
	change := &RoleChange{From: from, To: to, Notes: []string{fmt.Sprintf(
		"%s; %s rejoins as a replica when its data is a subset of %s's, else it stays read-only and mysqlctl status reports it diverged (mysqlctl reclone %s gives it %s's data)",
		lost, from, to, from, to)}}
	in, err := c.beginChange(ctx, r.rec, "promote", from, to)
	if err != nil {
		return nil, err
	}
	defer c.releaseIntent(r.rec, in)
	if err := c.unmarkFenced(ctx, to); err != nil {
		if derr := c.dropChange(ctx, r.rec); derr != nil {
			err = fmt.Errorf("%w; and the record still shows the promote (%v)", err, derr)
		}
		return nil, fmt.Errorf("prepare %s: %w: nothing changed", to, err)
	}
	if err := c.fenceOldPrimary(ctx, r, from, target, opts.CatchUp, change); err != nil {
		if derr := c.dropChange(ctx, r.rec); derr != nil {
			err = fmt.Errorf("%w; and the record still shows the promote (%v)", err, derr)
		}
		return nil, err
	}
	if err := makePrimary(ctx, target, rep); err != nil {
		return nil, fmt.Errorf("make %s writable: %w; run mysqlctl promote %s again", to, err, to)
	}
	if err := c.endChange(ctx, r.rec, to); err != nil {
		return change, fmt.Errorf("%s is writable, but the record still names %s (%w): run mysqlctl promote %s --adopt to finish", to, from, err, to)
	}
	c.repointOthers(ctx, r, to, change, append([]string{from}, ahead...)...)
	c.stopDiverged(ctx, r, to, ahead, change)
	c.restartOldPrimary(ctx, r, from, change)
	return change, nil
}

// refuseLiveOldPrimary: a failover is for a primary that is gone. A
// healthy one is a switchover's; one whose pod is Ready or whose server
// still answers as writable may come back to clients that pooled their
// connections, so it takes --force (and is fenced, as far as it can be).
func (c *Cluster) refuseLiveOldPrimary(r *roleChange, from, to string, force bool) error {
	if from == "" {
		return nil
	}
	m, rep := r.member(from), r.report(from)
	writable := rep != nil && rep.Writable() && !rep.IsReplica()
	if m != nil && m.Ready && writable {
		return fmt.Errorf("the primary %s is healthy and takes writes: move the role without losing anything with mysqlctl switchover --to %s", from, to)
	}
	if receivers := stillReceiving(r, from, from+"."+manifest.HeadlessServiceName(c.name)); rep == nil && len(receivers) > 0 && !force {
		verb := "is"
		if len(receivers) > 1 {
			verb = "are"
		}
		return fmt.Errorf("%s %s still receiving from %s, so its server runs although mysqlctl cannot reach it (a pod force-deleted while its container lives on, or a node cut off): promoting now would leave two primaries, the old one writing for its clients; stop that server or wait until the replicas lose it (their receivers then say Connecting), then promote again, or pass --force to promote now and lose what it writes after this",
			strings.Join(receivers, " and "), verb, from)
	}
	if force || ((m == nil || !m.Ready) && !writable) {
		return nil
	}
	why := "its pod is Ready"
	if writable {
		why = "its server answers as writable"
	}
	return fmt.Errorf("the primary %s is not gone: %s, so clients may still reach it; fix it or move the role with mysqlctl switchover --to %s, or pass --force to fence it and promote %s", from, why, to, to)
}

// stillReceiving lists the replicas whose receiver is connected to from
// (by its stable name host, short or qualified): proof that from's server
// runs, whatever its pod says and although it may answer nobody else.
func stillReceiving(r *roleChange, from, host string) []string {
	var out []string
	for i, s := range r.g.slots {
		rep := r.g.probes[i].report
		if s.name == from || rep == nil || rep.Replica == nil || !rep.Replica.IOThread.Running() {
			continue
		}
		if h := rep.Replica.SourceHost; h == host || strings.HasPrefix(h, host+".") {
			out = append(out, s.name)
		}
	}
	return out
}

// fenceOldPrimary marks the old primary fenced and makes its server read-
// only when it answers, ending its clients' sessions, before the new one
// takes writes; the new one then gets what the old one wrote, as far as it
// can within apply. A server that answers as writable and cannot be fenced
// stops the promote; one that does not answer is marked if its pod can be
// reached, else noted (it stays read-only when it starts: the new primary
// is writable by then).
func (c *Cluster) fenceOldPrimary(ctx context.Context, r *roleChange, from string, target Server, apply time.Duration, change *RoleChange) error {
	if from == "" {
		return nil
	}
	to := target.Name()
	old := r.g.server(from)
	if err := c.markFenced(ctx, from, "promote of "+to); err != nil {
		if old != nil {
			return fmt.Errorf("fence %s: %w: nothing changed", from, err)
		}
		change.Notes = append(change.Notes, fmt.Sprintf("%s could not be marked fenced (%v): when its server starts again it finds %s writable and stays read-only", from, err, to))
	}
	if old == nil {
		return nil
	}
	if err := fence(ctx, old, r.report(from)); err != nil {
		return fmt.Errorf("fence %s: %w: nothing changed", from, err)
	}
	c.say(fmt.Sprintf("waiting for %s to apply what %s wrote", to, from))
	last, err := old.Report(ctx)
	if err == nil {
		err = target.WaitForGTID(ctx, binlogGTID(last), apply)
	}
	if err != nil {
		change.Notes = append(change.Notes, fmt.Sprintf("%s may lack transactions %s wrote before it was fenced (%v)", to, from, err))
	}
	return nil
}

// refuseDelayed refuses a candidate delayed on purpose (MASTER_DELAY)
// unless forced: it would apply what it received only that long after it
// was written, and its delay cannot be lifted without losing what waits in
// its relay log (CHANGE MASTER TO MASTER_DELAY = 0 and CHANGE REPLICATION
// SOURCE TO SOURCE_DELAY = 0 empty it: tried on MariaDB 10.11 and MySQL
// 9.7.4 with the source gone, the received rows never arrived).
// Forced, it is promoted as it is.
func refuseDelayed(rep *sql.InstanceReport, to string, force bool) error {
	if rep.Replica == nil || rep.Replica.SQLDelay == 0 || force {
		return nil
	}
	return fmt.Errorf("%s is delayed by %ds on purpose (MASTER_DELAY): it applies what it received only that long after it was written, and lifting its delay drops its relay log; promote another replica, or pass --force to promote it as it is and lose what it has not applied: nothing changed",
		to, rep.Replica.SQLDelay)
}

// refuseStoppedApplier refuses, unless forced, a candidate whose applier is
// stopped with transactions received and not applied: making it the
// primary resets its replication, and its relay log with them, although
// the comparison with the other replicas counted them as its own.
func refuseStoppedApplier(rep *sql.InstanceReport, to string, force bool) error {
	rs := rep.Replica
	if force || rs == nil || rs.SQLThread.Running() || appliedAllReceived(rs) {
		return nil
	}
	why := "stopped"
	if e := rs.LastSQLError; e != nil && (e.Errno != 0 || e.Message != "") {
		why = fmt.Sprintf("stopped on error %d (%s)", e.Errno, oneLine(e.Message))
	}
	return fmt.Errorf("%s's applier is %s, with transactions it received and has not applied (up to %s:%d, applied to %s:%d): start it, or fix its error, and promote again; --force promotes it as it is and loses them: nothing changed",
		to, why, rs.SourceLogFile, rs.ReadSourceLogPos, rs.RelaySourceLogFile, rs.ExecSourceLogPos)
}

// appliedAllReceived: the applier has reached what the receiver read from
// the source (or nothing was read yet).
func appliedAllReceived(rs *sql.ReplicaStatus) bool {
	return rs.SourceLogFile == "" || (rs.RelaySourceLogFile == rs.SourceLogFile && rs.ExecSourceLogPos >= rs.ReadSourceLogPos)
}

// waitApplied waits, with the server's own wait function, until the
// replica applied every transaction it received from the lost primary (its
// applier reaches what its receiver read), and returns its report then.
func (c *Cluster) waitApplied(ctx context.Context, srv Server, within time.Duration) (*sql.InstanceReport, error) {
	rep, err := srv.Report(ctx)
	if err != nil {
		return nil, err
	}
	rs := rep.Replica
	if rs == nil || !rs.SQLThread.Running() || appliedAllReceived(rs) {
		return rep, nil
	}
	if err := srv.WaitForPosition(ctx, rs.SourceLogFile, rs.ReadSourceLogPos, within); err != nil {
		return nil, fmt.Errorf("%s has not applied what it received (%s:%d) within %s: %w; nothing changed",
			srv.Name(), rs.SourceLogFile, rs.ReadSourceLogPos, within, err)
	}
	return srv.Report(ctx)
}

// divergedFrom says why old must not follow primary: it holds transactions
// primary lacks, or the two cannot be compared now; "" when it may.
func (c *Cluster) divergedFrom(ctx context.Context, old, primary Server) string {
	if primary == nil {
		return "cannot be compared with the new primary (not reachable)"
	}
	oldRep, err := old.Report(ctx)
	if err != nil {
		return fmt.Sprintf("cannot be compared with %s (%v)", primary.Name(), err)
	}
	newRep, err := primary.Report(ctx)
	if err != nil {
		return fmt.Sprintf("cannot be compared with %s (%v)", primary.Name(), err)
	}
	if hasMore(oldRep, newRep) {
		return fmt.Sprintf("holds transactions %s lacks (never sent before the promote, lost by --force)", primary.Name())
	}
	return ""
}

// stopDiverged stops replication on the servers that hold transactions
// the forced new primary lacks: pointed at it they would replay nothing
// of theirs and serve rows the primary does not have. They wait for a
// human, with the command that gives them the new primary's data.
func (c *Cluster) stopDiverged(ctx context.Context, r *roleChange, to string, ahead []string, change *RoleChange) {
	for _, pod := range ahead {
		srv := r.g.server(pod)
		if srv == nil {
			continue
		}
		_ = srv.Exec(ctx, srv.Adapter().StopReplica())
		change.NotRepointed = append(change.NotRepointed, fmt.Sprintf(
			"%s holds transactions %s lacks (lost by --force): its replication is stopped; run mysqlctl reclone %s", pod, to, pod))
	}
}

// restartOldPrimary makes the old primary follow the new one: an answering
// one is pointed at it, unless it holds transactions the new one lacks
// (committed, never sent before a forced promote): MySQL's GTID
// auto-position would replicate on top of them, a diverged copy that
// looks healthy (MariaDB's gtid_strict_mode would stop it), so it is left
// read-only without a source, out of the Services, for a reclone. A pod
// that is not ready (stopped before an empty volume, or crashing) is
// deleted, so that the StatefulSet re-creates it with the new record and
// it clones or rejoins (its sidecar makes the same comparison).
func (c *Cluster) restartOldPrimary(ctx context.Context, r *roleChange, from string, change *RoleChange) {
	if srv := r.g.server(from); srv != nil {
		if why := c.divergedFrom(ctx, srv, r.g.server(change.To)); why != "" {
			change.NotRepointed = append(change.NotRepointed, fmt.Sprintf(
				"%s %s: it stays read-only, without a source and out of the Services; run mysqlctl reclone %s", from, why, from))
			return
		}
		if err := c.pointAt(ctx, srv, change.To, r.password); err != nil {
			change.NotRepointed = append(change.NotRepointed, fmt.Sprintf("%s: %v", from, err))
			return
		}
		change.Repointed = append(change.Repointed, from)
		return
	}
	m := r.member(from)
	if m == nil || m.Ready || m.PodState == "missing" {
		return
	}
	deleted, err := c.api.Delete(ctx, kube.KindPod, from)
	if err != nil {
		change.NotRepointed = append(change.NotRepointed, fmt.Sprintf("%s: could not re-create its pod (%v): delete it to have it follow %s", from, err, change.To))
		return
	}
	c.changed(deleted.String() + ": re-created, it reads the new record and follows " + change.To)
}
