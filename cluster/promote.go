package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// PromoteOptions are the choices of `mysqlctl promote`.
type PromoteOptions struct {
	Pod string
	// Force promotes a replica although another one has applied more.
	Force bool
	// Apply bounds how long the replica may take to apply what it received.
	Apply time.Duration
}

// Promote makes a replica the primary when the recorded primary is gone or
// its data lost (a failover): what the old primary never sent is lost. It
// refuses while the recorded primary is a healthy writable primary (that is
// a switchover's job), and a replica behind another unless Force.
func (c *Cluster) Promote(ctx context.Context, opts PromoteOptions) (*RoleChange, error) {
	change, err := c.promote(ctx, opts)
	if err != nil {
		return change, fmt.Errorf("promote %s in %s: %w", opts.Pod, c.Name, err)
	}
	return change, nil
}

func (c *Cluster) promote(ctx context.Context, opts PromoteOptions) (*RoleChange, error) {
	if opts.Apply <= 0 {
		opts.Apply = DefaultCatchUp
	}
	r, err := c.openRoleChange(ctx)
	if err != nil {
		return nil, err
	}
	defer r.g.close()
	from, to := r.primary, opts.Pod
	if _, err := memberOrdinal(c.Name, to, int32(len(r.g.slots))); err != nil {
		return nil, err
	}
	if to == from {
		return nil, invalidSpec("pod", "%s is the recorded primary already", to)
	}
	if m, rep := r.member(from), r.report(from); m != nil && m.Ready && rep != nil && rep.Writable() && !rep.IsReplica() {
		return nil, fmt.Errorf("the primary %s is healthy and takes writes: move the role without losing anything with mysqlctl switchover --to %s", from, to)
	}
	target, rep := r.g.server(to), r.report(to)
	if target == nil || rep == nil || !rep.IsReplica() {
		return nil, fmt.Errorf("%s cannot be promoted: it is not an answering replica (%s)", to, memberState(r.member(to)))
	}
	if err := sql.CanMovePrimary(target.Adapter()); err != nil {
		return nil, err
	}
	c.say(fmt.Sprintf("waiting for %s to apply what it received", to))
	if rep, err = c.waitApplied(ctx, target, opts.Apply); err != nil {
		return nil, err
	}
	ahead := aheadOf(r, to, rep)
	if len(ahead) > 0 && !opts.Force {
		return nil, fmt.Errorf("%s has applied transactions %s has not: promote the one with the most (or pass --force to lose them)", strings.Join(ahead, ", "), to)
	}
	change := &RoleChange{From: from, To: to, Notes: []string{fmt.Sprintf(
		"transactions %s committed but never sent to a replica are lost; %s rejoins as a replica when its data is a subset of %s's, else it stays read-only and mysqlctl status reports it diverged (mysqlctl reclone %s gives it %s's data)",
		from, from, to, from, to)}}
	if err := makePrimary(ctx, target); err != nil {
		return nil, fmt.Errorf("make %s writable: %w", to, err)
	}
	if err := c.recordPrimary(ctx, to); err != nil {
		return change, fmt.Errorf("%s is writable, but the record still names %s (%w): run mysqlctl promote %s --force again to finish", to, from, err, to)
	}
	c.repointOthers(ctx, r, to, change, append([]string{from}, ahead...)...)
	c.stopDiverged(ctx, r, to, ahead, change)
	c.restartOldPrimary(ctx, r, from, change)
	return change, nil
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
	if rs == nil || !rs.SQLThread.Running() || rs.SourceLogFile == "" ||
		(rs.RelaySourceLogFile == rs.SourceLogFile && rs.ExecSourceLogPos >= rs.ReadSourceLogPos) {
		return rep, nil
	}
	if err := srv.WaitForPosition(ctx, rs.SourceLogFile, rs.ReadSourceLogPos, within); err != nil {
		return nil, fmt.Errorf("%s has not applied what it received (%s:%d) within %s: %w; nothing changed",
			srv.Name(), rs.SourceLogFile, rs.ReadSourceLogPos, within, err)
	}
	return srv.Report(ctx)
}

// aheadOf lists the answering replicas that applied a transaction the
// candidate has not.
func aheadOf(r *roleChange, candidate string, rep *sql.InstanceReport) []string {
	var out []string
	for i, s := range r.g.slots {
		other := r.g.probes[i].report
		if s.name == candidate || s.name == r.primary || other == nil {
			continue
		}
		if hasMore(other, rep) {
			out = append(out, s.name)
		}
	}
	return out
}

// hasMore: a holds a transaction b lacks (MariaDB: a later sequence
// number in a domain; MySQL: a GTID outside b's set).
func hasMore(a, b *sql.InstanceReport) bool {
	if a.Flavour.IsMariaDB() {
		al, err1 := sql.ParseMariaDBGTIDList(executedGTID(a))
		bl, err2 := sql.ParseMariaDBGTIDList(executedGTID(b))
		return err1 == nil && err2 == nil && bl.Behind(al) > 0
	}
	as, err1 := sql.ParseGTIDSet(executedGTID(a))
	bs, err2 := sql.ParseGTIDSet(executedGTID(b))
	return err1 == nil && err2 == nil && !bs.Contains(as)
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
// one is pointed at it (the new primary refuses it, error 1236, if it holds
// transactions the new one lacks); a pod that is not ready (stopped before
// an empty volume, or crashing) is deleted, so that the StatefulSet
// re-creates it with the new record and it clones or rejoins.
func (c *Cluster) restartOldPrimary(ctx context.Context, r *roleChange, from string, change *RoleChange) {
	if srv := r.g.server(from); srv != nil {
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
	deleted, err := c.Kube.Delete(ctx, kube.KindPod, from)
	if err != nil {
		change.NotRepointed = append(change.NotRepointed, fmt.Sprintf("%s: could not re-create its pod (%v): delete it to have it follow %s", from, err, change.To))
		return
	}
	c.changed(deleted.String() + ": re-created, it reads the new record and follows " + change.To)
}
