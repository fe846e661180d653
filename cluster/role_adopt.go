package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// reopen gives the recorded primary its writes back when no server takes
// any and it replicates from nobody: left fenced by a role change that was
// undone, with nothing else that would lift the fence. Otherwise promoting
// the recorded primary is refused.
func (c *Cluster) reopen(ctx context.Context, r *roleChange, pod string) (*RoleChange, error) {
	srv, rep := r.g.server(pod), r.report(pod)
	if len(r.writers()) > 0 || srv == nil || rep == nil || rep.IsReplica() {
		return nil, manifest.InvalidSpec("pod", "%s is the recorded primary already", pod)
	}
	c.say(fmt.Sprintf("no server takes writes: %s, the recorded primary, takes them again", pod))
	if err := c.giveWritesBack(ctx, r, srv); err != nil {
		return nil, err
	}
	return &RoleChange{From: pod, To: pod}, nil
}

// adopt records pod as the primary when it is already the one writable
// server: the end of a role change whose record could not be written, or a
// record deleted by hand. Nothing on the servers changes but the others'
// source.
func (c *Cluster) adopt(ctx context.Context, pod string) (*RoleChange, error) {
	r, err := c.openRoleChange(ctx)
	if err != nil {
		return nil, err
	}
	defer r.g.close()
	if _, err := memberOrdinal(c.name, pod, int32(len(r.g.slots))); err != nil {
		return nil, err
	}
	if err := c.refuseChangeInForce(r.rec); err != nil {
		return nil, err
	}
	writers := r.writers()
	if len(writers) != 1 || writers[0] != pod {
		return nil, fmt.Errorf("--adopt records a primary that already takes writes, alone: %s is %s, and the writable servers are %s; nothing changed (to make a replica the primary, run mysqlctl promote %s without --adopt)",
			pod, memberState(r.member(pod)), orNone(writers), pod)
	}
	change := &RoleChange{From: r.primary, To: pod}
	if err := c.unmarkFenced(ctx, pod); err != nil {
		return nil, fmt.Errorf("%s: %w: nothing changed", pod, err)
	}
	if err := c.endChange(ctx, r.rec, pod); err != nil {
		return nil, err
	}
	c.repointOthers(ctx, r, pod, change)
	return change, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
