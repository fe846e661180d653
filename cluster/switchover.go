package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// SwitchoverOptions are the choices of `mysqlctl switchover`.
type SwitchoverOptions struct {
	// To is the replica that becomes the primary; empty picks the healthy
	// replica of the primary that is least behind.
	To string
	// CatchUp bounds how long the target may take to apply everything the
	// primary wrote, first while it still takes writes, then once more
	// after it was fenced.
	CatchUp time.Duration
}

// DefaultCatchUp is how long a server may take to catch up with the
// primary when the command is not told: SwitchoverOptions.CatchUp,
// PromoteOptions.CatchUp and check's wait for the replicas before checksums
// (CheckOptions.CatchUpTimeout).
const DefaultCatchUp = 30 * time.Second

// Switchover moves the primary role to a caught-up replica with nothing
// lost: the target catches up, the old primary is fenced (no client
// writes), the target applies the last transactions and becomes writable,
// the record and the write Service move to it, and every other server,
// the old primary included, replicates from it. If a step fails before the
// target is writable, the old primary takes writes again.
func (c *Cluster) Switchover(ctx context.Context, opts SwitchoverOptions) (*RoleChange, error) {
	change, err := c.switchover(ctx, opts)
	if err != nil {
		return change, fmt.Errorf("switchover of %s: %w", c.name, err)
	}
	return change, nil
}

func (c *Cluster) switchover(ctx context.Context, opts SwitchoverOptions) (*RoleChange, error) {
	if opts.CatchUp <= 0 {
		opts.CatchUp = DefaultCatchUp
	}
	r, err := c.openRoleChange(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { r.g.close() }()
	if in, err := c.intentOf(r.rec); err != nil || in != nil {
		if err != nil {
			return nil, err
		}
		change, done, err := c.settle(ctx, r, in)
		if err != nil || done {
			return change, err
		}
		r.g.close()
		if r, err = c.openRoleChange(ctx); err != nil { // read again what settling changed
			return nil, err
		}
	}
	from := r.primary
	if from == "" {
		return nil, c.errNoRecordedPrimary()
	}
	old, oldRep := r.g.server(from), r.report(from)
	if old == nil || oldRep == nil || !oldRep.Writable() || oldRep.IsReplica() {
		return nil, fmt.Errorf("the recorded primary %s does not answer as a writable primary (%s): nothing changed; if it is lost, make a replica the primary with mysqlctl promote POD",
			from, memberState(r.member(from)))
	}
	to, err := c.switchoverTarget(r, opts.To)
	if err != nil {
		return nil, err
	}
	target := r.g.server(to)
	if err := sql.CanMovePrimary(target.Adapter()); err != nil {
		return nil, fmt.Errorf("%w: nothing changed", err)
	}
	change := &RoleChange{From: from, To: to}
	c.say(fmt.Sprintf("waiting for %s to catch up with %s", to, from))
	if err := target.WaitForGTID(ctx, binlogGTID(oldRep), opts.CatchUp); err != nil {
		return nil, fmt.Errorf("%s did not catch up with %s within %s (%w): nothing changed; try again when it has, or pass a larger --catch-up", to, from, opts.CatchUp, err)
	}
	// The intent goes first: of two role commands that read the same
	// record only one gets past it, and a pod restarted from here on does
	// not make itself writable while it is recorded.
	in, err := c.beginChange(ctx, r.rec, "switchover", from, to)
	if err != nil {
		return nil, err
	}
	defer c.releaseIntent(r.rec, in)
	// The target's own marker (from an earlier switchover away from it)
	// goes before the fence: it is a replica until the last step.
	if err := c.unmarkFenced(ctx, to); err != nil {
		return nil, c.abandon(ctx, r, from, fmt.Errorf("prepare %s: %w", to, err))
	}
	if err := c.markFenced(ctx, from, "switchover to "+to); err != nil {
		return nil, c.abandon(ctx, r, from, fmt.Errorf("fence %s: %w", from, err))
	}
	c.say(fmt.Sprintf("fencing %s: no client writes from here", from))
	fenced := c.now()
	if err := fence(ctx, old, r.report(from)); err != nil {
		return nil, c.undo(ctx, r, old, fmt.Errorf("fence %s: %w", from, err))
	}
	last, err := old.Report(ctx)
	if err != nil {
		return nil, c.undo(ctx, r, old, fmt.Errorf("read the last position of %s: %w", from, err))
	}
	if err := target.WaitForGTID(ctx, binlogGTID(last), opts.CatchUp); err != nil {
		return nil, c.undo(ctx, r, old, fmt.Errorf("%s did not apply the last transactions of %s within %s: %w", to, from, opts.CatchUp, err))
	}
	if err := makePrimary(ctx, target, r.report(to)); err != nil {
		return nil, c.undo(ctx, r, old, fmt.Errorf("make %s writable: %w", to, err))
	}
	// From here the target is the only writable server: what follows
	// moves what points at it, and nothing is undone.
	if err := c.endChange(ctx, r.rec, to); err != nil {
		return change, fmt.Errorf("%s is the writable primary, but the record still names %s (%w): run mysqlctl switchover again to finish", to, from, err)
	}
	change.WriteDowntime = c.now().Sub(fenced)
	c.say(fmt.Sprintf("%s takes writes; repointing the replicas", to))
	c.repointOthers(ctx, r, to, change)
	return change, nil
}

// abandon drops a switchover that changed no server yet: the old primary
// still takes writes. Its fence marker may have been written by a command
// that then failed, so it goes too, or a restart would fence it; the
// intent goes either way, so that the pods and the next command are not
// held up by a change nobody works on.
func (c *Cluster) abandon(ctx context.Context, r *roleChange, from string, cause error) error {
	unmarkErr := c.unmarkFenced(ctx, from)
	if err := c.dropChange(ctx, r.rec); err != nil {
		return fmt.Errorf("%w: %s still takes writes, but the record still shows the switchover (%v): run mysqlctl switchover again to clear it", cause, from, err)
	}
	if unmarkErr != nil {
		return fmt.Errorf("%w: nothing changed and %s still takes writes, but it may carry a fence marker that would keep it read-only after a restart (%v): if it then does, mysqlctl promote %s gives it its writes back", cause, from, unmarkErr, from)
	}
	return fmt.Errorf("%w: nothing changed, %s still takes writes", cause, from)
}

// undo gives the old primary its writes back after a failed switchover
// and says what happened.
func (c *Cluster) undo(ctx context.Context, r *roleChange, old Server, cause error) error {
	if err := c.giveWritesBack(ctx, r, old); err != nil {
		return fmt.Errorf("%w; and %w: run mysqlctl switchover again to finish or undo it", cause, err)
	}
	return fmt.Errorf("%w: %s takes writes again, nothing else changed", cause, old.Name())
}

// switchoverTarget checks the asked target, or picks the replica of the
// primary that is replicating and least behind (lowest ordinal on a tie).
func (c *Cluster) switchoverTarget(r *roleChange, asked string) (string, error) {
	if asked != "" {
		if asked == r.primary {
			return "", manifest.InvalidSpec("to", "%s is the primary already: pass one of its replicas", asked)
		}
		if _, err := memberOrdinal(c.name, asked, int32(len(r.g.slots))); err != nil {
			return "", err
		}
		rep := r.report(asked)
		// A receiver still connecting (just repointed) is fine: the
		// catch-up wait below bounds it.
		if r.g.server(asked) == nil || rep == nil || !rep.IsReplica() || !rep.Replica.SQLThread.Running() ||
			(rep.Replica.IOThread != "Yes" && rep.Replica.IOThread != "Connecting") || !replicatesFrom(rep, c.name, r.primary) {
			return "", fmt.Errorf("%s cannot take over: it is not a replica of %s with both threads running (%s); nothing changed", asked, r.primary, memberState(r.member(asked)))
		}
		return asked, nil
	}
	best, bestLag := "", int64(-1)
	for i, s := range r.g.slots {
		rep := r.g.probes[i].report
		if s.name == r.primary || r.g.probes[i].server == nil || rep == nil || !rep.IsReplica() ||
			!rep.Replica.Replicating() || !replicatesFrom(rep, c.name, r.primary) || rep.Replica.SQLDelay > 0 {
			continue
		}
		lag := int64(1 << 40)
		if rep.Replica.SecondsBehind != nil {
			lag = *rep.Replica.SecondsBehind
		}
		if best == "" || lag < bestLag {
			best, bestLag = s.name, lag
		}
	}
	if best == "" {
		return "", errors.New("no replica of " + r.primary + " is replicating with both threads running: nothing changed; mysqlctl status shows why")
	}
	return best, nil
}

// memberState is a member's state in a few words, for errors.
func memberState(m *Member) string {
	switch {
	case m == nil:
		return "no such member"
	case m.Error != "":
		return m.Error
	case m.Replication != nil:
		return fmt.Sprintf("%s, IO %s, SQL %s", m.Role, m.Replication.IOThread, m.Replication.SQLThread)
	}
	return string(m.Role)
}
