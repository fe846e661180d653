package cluster

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// RoleChange is what a switchover or a promote did.
type RoleChange struct {
	From, To string
	// WriteDowntime runs from the old primary's fence (switchover) to the
	// moment the write Service selects the new primary.
	WriteDowntime time.Duration `json:"writeDowntime,omitempty"`
	// Repointed lists the servers that now replicate from To; NotRepointed
	// says, per server, why one does not (yet).
	Repointed    []string
	NotRepointed []string
	// Notes are what the reader must know (lost transactions, a pod
	// re-created to read the new record).
	Notes []string
}

// roleChange is the cluster as a role change finds it: every member read,
// their connections open, the record (whose version every write of the
// command is conditional on) and the replication account's password.
type roleChange struct {
	g        *gathering
	rec      *record
	primary  string
	password string
}

func (c *Cluster) openRoleChange(ctx context.Context) (*roleChange, error) {
	if _, err := c.existingStatefulSet(ctx); err != nil {
		return nil, err
	}
	rec, err := c.loadRecord(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := c.api.GetSecret(ctx, manifest.SecretName(c.name))
	if err != nil {
		return nil, err
	}
	if secret == nil || len(secret.Data[manifest.SecretKeyReplicationPassword]) == 0 {
		return nil, fmt.Errorf("secret %s has no %s: replicas cannot be pointed at a new primary without it", manifest.SecretName(c.name), manifest.SecretKeyReplicationPassword)
	}
	g, err := c.gather(ctx)
	if err != nil {
		return nil, err
	}
	return &roleChange{g: g, rec: rec, primary: c.validPrimary(rec.data[StateKeyPrimary]),
		password: string(secret.Data[manifest.SecretKeyReplicationPassword])}, nil
}

// report is the member's last read report, or nil.
func (r *roleChange) report(pod string) *sql.InstanceReport {
	for i, s := range r.g.slots {
		if s.name == pod {
			return r.g.probes[i].report
		}
	}
	return nil
}

func (r *roleChange) member(pod string) *Member {
	for i := range r.g.report.Members {
		if r.g.report.Members[i].Pod == pod {
			return &r.g.report.Members[i]
		}
	}
	return nil
}

// replicatesFrom: the server's source is pod (by its headless DNS name, as
// the pods configure it, or its bare name).
func replicatesFrom(rep *sql.InstanceReport, cluster, pod string) bool {
	if rep == nil || rep.Replica == nil {
		return false
	}
	host := strings.TrimSuffix(rep.Replica.SourceHost, ".")
	return host == pod || strings.HasPrefix(host, pod+"."+manifest.HeadlessServiceName(cluster))
}

// binlogGTID is what a server wrote to its binary log, which a new primary
// must have applied before it takes writes.
func binlogGTID(rep *sql.InstanceReport) string {
	if rep.Flavour == sql.MariaDB {
		return rep.GTID.BinlogPos
	}
	return rep.GTID.Executed
}

// pointAt makes srv a replica of the new primary, from its own GTIDs as
// the statement finds them once its applier stopped (sql.ByOwnGTID): a
// position read earlier would make it apply again what it applied since,
// were its sidecar to start it in between (duplicate keys, error 1950).
func (c *Cluster) pointAt(ctx context.Context, srv Server, primary, password string) error {
	stmts, err := sql.PointAt(srv.Adapter(), sql.Source{
		Host: primary + "." + manifest.HeadlessServiceName(c.name), Port: manifest.PortMySQL,
		User: manifest.ReplicationUser, Password: password,
		CA: path.Join(manifest.MountTLS, manifest.TLSKeyCA),
	})
	if err != nil {
		return err
	}
	return srv.ExecHiding(ctx, []string{password}, stmts...)
}

// repointOthers points every answering server but the new primary (and
// skip) at it. A failure is reported per server; the role has moved.
func (c *Cluster) repointOthers(ctx context.Context, r *roleChange, to string, change *RoleChange, skip ...string) {
	for i, s := range r.g.slots {
		p := r.g.probes[i]
		if s.name == to || slices.Contains(skip, s.name) {
			continue
		}
		if p.server == nil {
			change.NotRepointed = append(change.NotRepointed, fmt.Sprintf("%s does not answer: it follows %s when it starts again", s.name, to))
			continue
		}
		if err := c.pointAt(ctx, p.server, to, r.password); err != nil {
			change.NotRepointed = append(change.NotRepointed, fmt.Sprintf("%s: %v", s.name, err))
			continue
		}
		change.Repointed = append(change.Repointed, s.name)
	}
}

// makePrimary turns a replica into a writable primary. Callers remove its
// fence marker first (unmarkFenced): a server still marked would stay
// read-only at its next start although it is the primary. rep is a report
// of srv read earlier in the command (nil if none).
func makePrimary(ctx context.Context, srv Server, rep *sql.InstanceReport) error {
	a := srv.Adapter()
	return srv.Exec(ctx, append([]sql.Statement{a.StopReplica(), a.ResetReplica()}, writable(a, rep)...)...)
}

// writable lifts the fence; on a server configured for semi-sync it turns
// the source side on first, so that no commit the new primary acknowledges
// lives on it alone.
func writable(a sql.Adapter, rep *sql.InstanceReport) []sql.Statement {
	var stmts []sql.Statement
	if semiSyncConfigured(rep) {
		stmts = append(stmts, sql.SemiSyncSource(a, true)...)
	}
	return append(stmts, a.MakeWritable()...)
}

// semiSyncConfigured: the server was started with semi-sync asked for
// (the pods' cnf sets its replica side from the spec).
func semiSyncConfigured(rep *sql.InstanceReport) bool {
	return rep != nil && rep.SemiSync != nil && rep.SemiSync.Configured
}

// writers are the answering servers that take writes and replicate from
// nobody.
func (r *roleChange) writers() []string {
	var out []string
	for i, s := range r.g.slots {
		if rep := r.g.probes[i].report; rep != nil && rep.Writable() && !rep.IsReplica() {
			out = append(out, s.name)
		}
	}
	return out
}

// fence stops the writes of every client on srv, and ends the connections
// of clients, so that none goes on writing to a server that is no longer
// the primary: they reconnect through the write Service. Callers mark it
// fenced on its volume first (markFenced), so that no restart undoes it.
// A server configured for semi-sync stops waiting for acknowledgements:
// as a replica, its applier's commits must not wait for replicas it has
// none of. rep is a report of srv read earlier in the command.
func fence(ctx context.Context, srv Server, rep *sql.InstanceReport) error {
	a := srv.Adapter()
	stmts := a.Fence()
	if semiSyncConfigured(rep) {
		stmts = append(stmts, sql.SemiSyncSource(a, false)...)
	}
	if err := srv.Exec(ctx, stmts...); err != nil {
		return err
	}
	q := a.ClientSessionsQuery()
	q.Args = []any{manifest.AdminUser, manifest.ReplicationUser}
	ids, err := srv.Column(ctx, q)
	if err != nil {
		return nil // fenced: the sessions only learn it at their next write
	}
	for _, id := range ids {
		var n uint64
		if _, err := fmt.Sscan(id, &n); err == nil {
			_ = srv.Exec(ctx, a.KillConnection(n)) // gone already is fine
		}
	}
	return nil
}
