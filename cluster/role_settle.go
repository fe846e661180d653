package cluster

import (
	"context"
	"fmt"
	"strings"
)

// settle finishes or undoes the role change the record shows, once the
// command that began it has given up (a Ctrl-C, a lost connection, an API
// error after the new primary took writes): done is true when that
// finished the command's work (the change was carried to its end), false
// when the caller goes on from a cluster with one writable primary again.
// While the command may still be at work, it refuses.
func (c *Cluster) settle(ctx context.Context, r *roleChange, in *Intent) (change *RoleChange, done bool, err error) {
	if err := c.refuseChangeInForce(r.rec); err != nil {
		return nil, false, fmt.Errorf("%w, or run this again after that to finish or undo it", err)
	}
	writers := r.writers()
	switch {
	case len(writers) == 1 && writers[0] == in.To:
		c.say(fmt.Sprintf("finishing the interrupted %s: %s takes writes already", in, in.To))
		change = &RoleChange{From: in.From, To: in.To, Notes: []string{"finished the interrupted " + in.String()}}
		if err := c.endChange(ctx, r.rec, in.To); err != nil {
			return change, true, fmt.Errorf("finish the interrupted %s: %w", in, err)
		}
		c.repointOthers(ctx, r, in.To, change)
		return change, true, nil
	case len(writers) == 1 && writers[0] == in.From:
		c.say(fmt.Sprintf("the interrupted %s never reached %s: clearing it", in, in.To))
		if err := c.unmarkFenced(ctx, in.From); err != nil {
			return nil, false, fmt.Errorf("clear the interrupted %s: %w", in, err)
		}
		return nil, false, c.dropChange(ctx, r.rec)
	case len(writers) == 0:
		old := r.g.server(in.From)
		if old == nil {
			return nil, false, fmt.Errorf("the interrupted %s left no writable server and %s does not answer (%s): make the server with the most data the primary with mysqlctl promote POD",
				in, in.From, memberState(r.member(in.From)))
		}
		c.say(fmt.Sprintf("undoing the interrupted %s: %s takes writes again", in, in.From))
		if err := c.giveWritesBack(ctx, r, old); err != nil {
			return nil, false, fmt.Errorf("undo the interrupted %s: %w", in, err)
		}
		return nil, false, nil
	}
	return nil, false, fmt.Errorf("after the interrupted %s, %s answer as writable primaries: record the one that holds the writes with mysqlctl promote POD --adopt (mysqlctl status shows them)",
		in, strings.Join(writers, " and "))
}

// giveWritesBack makes the old primary of a change that did not happen
// writable again: its fence marker first (else a restart would fence it
// anew), then its server, then the record without the intent. A marker
// that cannot be removed (its sidecar away) does not keep the writes off:
// it is reported, with the command that lifts it should a restart find it.
func (c *Cluster) giveWritesBack(ctx context.Context, r *roleChange, old Server) error {
	unmarkErr := c.unmarkFenced(ctx, old.Name())
	if err := old.Exec(ctx, writable(old.Adapter(), r.report(old.Name()))...); err != nil {
		return fmt.Errorf("%s could not be made writable again (%w): nothing takes writes", old.Name(), err)
	}
	if err := c.dropChange(ctx, r.rec); err != nil {
		return fmt.Errorf("%s takes writes again, but the record still shows the change (%w)", old.Name(), err)
	}
	if unmarkErr != nil {
		return fmt.Errorf("%s takes writes again, but may keep a fence marker that would make it read-only after a restart (%w): if it then is, mysqlctl promote %s gives it its writes back", old.Name(), unmarkErr, old.Name())
	}
	return nil
}
