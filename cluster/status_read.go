package cluster

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// DefaultPodTimeout bounds the whole conversation with one member: the
// port-forward, the login and the status queries. A member that takes
// longer is reported as unreachable; the others are not held up by it.
const DefaultPodTimeout = 10 * time.Second

// Tunnel reaches one pod's port from this process (a kube.Forward).
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
	Close() error
}

// Inspector reads a live cluster for status and check. Its function fields
// are the seams unit tests replace; NewInspector fills them with the real
// port-forward and SQL client.
type Inspector struct {
	// Kube lists the pods and reads the cluster's objects and Secret.
	Kube *kube.Client
	// Name is the cluster's name (its app.kubernetes.io/instance label).
	Name string
	// Forward opens a tunnel to a pod's port; it lasts until closed or ctx ends.
	Forward func(ctx context.Context, pod string, port int) (Tunnel, error)
	// Open logs in to a server through t.Dial.
	Open func(ctx context.Context, t sql.Target) (Server, error)
	// Checksum compares the user tables of servers (sql.ChecksumTables).
	Checksum func(ctx context.Context, servers []Server) (*sql.Checksums, error)
	// Now is the clock the report is stamped with.
	Now func() time.Time
	// PodTimeout bounds the work on each member (DefaultPodTimeout if 0).
	PodTimeout time.Duration
	// Debugf, when set, receives one line per step (for -v).
	Debugf func(format string, args ...any)
}

// NewInspector returns an Inspector of cluster name that reaches its pods
// through client-go port-forwards from k.
func NewInspector(k *kube.Client, name string) *Inspector {
	return &Inspector{
		Kube: k,
		Name: name,
		Forward: func(ctx context.Context, pod string, port int) (Tunnel, error) {
			f, err := k.ForwardPort(ctx, "", pod, port)
			if err != nil {
				return nil, err
			}
			return f, nil
		},
		Open: func(ctx context.Context, t sql.Target) (Server, error) {
			c, err := sql.Open(ctx, t)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Checksum:   checksumConns,
		Now:        time.Now,
		PodTimeout: DefaultPodTimeout,
	}
}

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

func (e *ClusterNotFoundError) Error() string {
	return fmt.Sprintf("no cluster named %q in namespace %q (no StatefulSet %s, no pods labelled %s): check --name and -n, or create it with mysqlctl up",
		e.Name, e.Namespace, StatefulSetName(e.Name), PodSelector(e.Name))
}

// Is makes errors.Is(err, ErrClusterNotFound) true.
func (e *ClusterNotFoundError) Is(target error) bool { return target == ErrClusterNotFound }

// Status gathers the cluster's StatusReport. It fails only when the cluster
// cannot be found or the Kubernetes API cannot be read; a member that cannot
// be reached gets its Error and the rest of the report is still filled.
func (in *Inspector) Status(ctx context.Context) (*StatusReport, error) {
	g, err := in.gather(ctx)
	if err != nil {
		return nil, err
	}
	g.close()
	return g.report, nil
}

func (in *Inspector) debugf(format string, args ...any) {
	if in.Debugf != nil {
		in.Debugf(format, args...)
	}
}

func (in *Inspector) podTimeout() time.Duration {
	if in.PodTimeout > 0 {
		return in.PodTimeout
	}
	return DefaultPodTimeout
}
