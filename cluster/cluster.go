// Package cluster is mysqlctl's use cases (up, scale, status, check,
// switchover, promote, backup, down, ...): they act on a live cluster
// through the kube and sql packages, from the spec and objects package
// manifest describes. It prints nothing and knows no command line.
package cluster

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// DefaultPodTimeout bounds the whole conversation with one member: the
// port-forward, the login and the status queries. A member that takes
// longer is reported as unreachable; the others are not held up by it.
const DefaultPodTimeout = 10 * time.Second

// Progress receives what a use case is doing, one human line at a time.
// cmd prints it on stderr; tests record it.
type Progress func(line string)

// Tunnel reaches one pod's port from this process (a kube.PodPort).
type Tunnel interface {
	Addr() string
	DialContext(ctx context.Context, addr string) (net.Conn, error)
	Close() error
}

// Server is an open connection to one member's server (a *sql.Conn).
type Server interface {
	Name() string
	Report(ctx context.Context) (*sql.InstanceReport, error)
	WaitForGTID(ctx context.Context, gtid string, timeout time.Duration) error
	WaitForPosition(ctx context.Context, file string, pos uint64, timeout time.Duration) error
	// Adapter, Exec, ExecHiding and Column change roles (switchover, promote).
	Adapter() sql.Adapter
	Exec(ctx context.Context, stmts ...sql.Statement) error
	ExecHiding(ctx context.Context, secrets []string, stmts ...sql.Statement) error
	Column(ctx context.Context, s sql.Statement) ([]string, error)
	Close() error
}

// Options are what a command tells the handle when it makes it. Every field
// may be left zero.
type Options struct {
	// Progress receives what is being waited for (stderr); Changed receives
	// one line per object a command created, changed or deleted (stdout).
	Progress Progress
	Changed  Progress
	// Debugf receives one line per step (for -v).
	Debugf func(format string, args ...any)
	// PodTimeout bounds the work on each member (DefaultPodTimeout if 0).
	PodTimeout time.Duration
}

// Cluster is the one handle every command acts through: a named cluster in
// the namespace of its Kubernetes client, which is the only place the
// namespace is held. It is made once, by New, and does not change. Its
// function fields are the seams unit tests replace; New fills them with the
// real port-forward, SQL client and clock.
type Cluster struct {
	// name is the cluster's name (its app.kubernetes.io/instance label).
	name string
	// api reads and writes the cluster's objects, in its namespace.
	api *kube.Client

	progress Progress
	changes  Progress
	debugLog func(format string, args ...any)
	// memberTimeout bounds the work on each member.
	memberTimeout time.Duration

	// newCredentials makes the Secret's data the first time.
	newCredentials func() (map[string][]byte, error)
	// waitStatefulSet waits until the StatefulSet runs want Ready pods, reporting
	// each pod's progress (kube.Client.WaitStatefulSetReady).
	waitStatefulSet func(ctx context.Context, name string, want int32, progress func(kube.PodProgress)) error

	// forward opens a tunnel to a pod's port; it lasts until closed or ctx ends.
	forward func(ctx context.Context, pod string, port int) (Tunnel, error)
	// open logs in to a server through t.Dial.
	open func(ctx context.Context, t sql.Target) (Server, error)
	// runInPod runs a command in a container of a pod through the API
	// (kube.Client.Exec): the fence marker of a role change.
	runInPod func(ctx context.Context, pod, container string, command []string, o kube.ExecOptions) error
	// checksum compares the user tables of servers (sql.ChecksumTables).
	checksum func(ctx context.Context, servers []Server) (*sql.Checksums, error)
	// now is the clock reports are stamped with.
	now func() time.Time
}

// New returns the handle of cluster name in k's namespace, reaching its pods
// through the API server's port-forwards and its servers with the sql package.
func New(k *kube.Client, name string, o Options) *Cluster {
	return &Cluster{
		name:           name,
		api:            k,
		progress:       o.Progress,
		changes:        o.Changed,
		debugLog:       o.Debugf,
		memberTimeout:  o.PodTimeout,
		newCredentials: manifest.NewCredentials,
		waitStatefulSet: func(ctx context.Context, sts string, want int32, progress func(kube.PodProgress)) error {
			return k.WaitStatefulSetReady(ctx, sts, want, progress)
		},
		forward: func(ctx context.Context, pod string, port int) (Tunnel, error) {
			t, err := k.OpenPodPort(ctx, pod, port)
			if err != nil {
				return nil, err
			}
			return t, nil
		},
		open: func(ctx context.Context, t sql.Target) (Server, error) {
			c, err := sql.Open(ctx, t)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		runInPod: k.Exec,
		checksum: checksumConns,
		now:      time.Now,
	}
}

// Name is the cluster's name.
func (c *Cluster) Name() string { return c.name }

// Namespace is where the cluster lives.
func (c *Cluster) Namespace() string { return c.api.Namespace() }

// WriteEndpoint is the Service clients write to: it follows the recorded
// primary.
func (c *Cluster) WriteEndpoint() string { return manifest.PrimaryServiceName(c.name) }

// ReadEndpoint is the Service clients read from.
func (c *Cluster) ReadEndpoint() string { return manifest.ReadServiceName(c.name) }

// checksumConns is sql.ChecksumTables over servers opened by sql.Open.
func checksumConns(ctx context.Context, servers []Server) (*sql.Checksums, error) {
	conns := make([]*sql.Conn, 0, len(servers))
	for _, s := range servers {
		c, ok := s.(*sql.Conn)
		if !ok {
			return nil, fmt.Errorf("checksum %s: not an sql.Conn", s.Name())
		}
		conns = append(conns, c)
	}
	return sql.ChecksumTables(ctx, conns...)
}

// ClusterNotFoundError: neither the StatefulSet nor any pod of the cluster
// exists in the namespace. errors.Is(err, ErrClusterNotFound) matches it.
type ClusterNotFoundError struct{ Name, Namespace string }

// ErrClusterNotFound classifies ClusterNotFoundError.
var ErrClusterNotFound = fmt.Errorf("cluster not found")

func (e *ClusterNotFoundError) Error() string {
	return fmt.Sprintf("no cluster named %q in namespace %q (no StatefulSet %s, no pods labelled %s): check --name and -n, or create it with mysqlctl up",
		e.Name, e.Namespace, manifest.StatefulSetName(e.Name), manifest.PodSelector(e.Name))
}

// Is makes errors.Is(err, ErrClusterNotFound) true.
func (e *ClusterNotFoundError) Is(target error) bool { return target == ErrClusterNotFound }

func (c *Cluster) notFound() error {
	return &ClusterNotFoundError{Name: c.name, Namespace: c.Namespace()}
}

func (c *Cluster) say(line string) {
	if c.progress != nil {
		c.progress(line)
	}
}

func (c *Cluster) changed(line string) {
	if c.changes != nil {
		c.changes(line)
	}
}

func (c *Cluster) debugf(format string, args ...any) {
	if c.debugLog != nil {
		c.debugLog(format, args...)
	}
}

func (c *Cluster) podTimeout() time.Duration {
	if c.memberTimeout > 0 {
		return c.memberTimeout
	}
	return DefaultPodTimeout
}
