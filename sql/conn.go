package sql

import (
	"context"
	"crypto/tls"
	dbsql "database/sql"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/go-sql-driver/mysql"
)

// DialFunc opens a TCP connection to addr. It is how a Conn reaches a server
// through a Kubernetes port-forward, a pod IP or plain 127.0.0.1.
type DialFunc func(ctx context.Context, addr string) (net.Conn, error)

// DefaultTimeout bounds each call on a Conn whose Target sets no Timeout.
const DefaultTimeout = 10 * time.Second

// Target says how to reach and log in to one server.
type Target struct {
	// Name identifies the server in errors and reports (e.g. "mysql-0").
	// Addr is used when it is empty.
	Name string
	// Addr is the host:port handed to Dial.
	Addr     string
	User     string
	Password string
	// Dial opens connections; nil dials TCP directly.
	Dial DialFunc
	// TLS, when set, encrypts the connection.
	TLS *tls.Config
	// Timeout bounds the dial and each call (a query, a statement); waits get
	// their own deadline on top. Zero means DefaultTimeout.
	Timeout time.Duration
}

// Conn is a small pool of connections to one server whose flavour is known.
// It is safe for concurrent use.
type Conn struct {
	name    string
	db      *dbsql.DB
	adapter Adapter
	timeout time.Duration
	secrets []string
}

// Open connects to the server, checks the login and detects the flavour.
// Errors name the server and never contain the password.
func Open(ctx context.Context, t Target) (*Conn, error) {
	name := t.Name
	if name == "" {
		name = t.Addr
	}
	if t.Addr == "" {
		return nil, fmt.Errorf("connect to %s: no address", name)
	}
	c := &Conn{name: name, timeout: t.Timeout, secrets: []string{t.Password}}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	connector, err := mysql.NewConnector(driverConfig(t, c.timeout))
	if err != nil {
		return nil, c.errorf(err, nil, "connect to %s (%s)", name, t.Addr)
	}
	c.db = dbsql.OpenDB(connector)
	// A port-forward carries every connection through one tunnel: keep few.
	c.db.SetMaxOpenConns(4)
	c.db.SetMaxIdleConns(2)
	c.db.SetConnMaxIdleTime(time.Minute)
	if err := c.detect(ctx); err != nil {
		c.db.Close()
		return nil, c.errorf(err, nil, "connect to %s (%s)", name, t.Addr)
	}
	return c, nil
}

// driverConfig builds the driver's configuration from fields, never from a
// DSN string, so no password is ever formatted into text.
func driverConfig(t Target, timeout time.Duration) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User = t.User
	cfg.Passwd = t.Password
	cfg.Net = "tcp"
	cfg.Addr = t.Addr
	cfg.Timeout = timeout
	cfg.TLS = t.TLS
	// The driver would print connection trouble to stderr itself; a library
	// returns errors instead and leaves printing to the command.
	cfg.Logger = &mysql.NopLogger{}
	if t.Dial != nil {
		dial := t.Dial
		cfg.DialFunc = func(ctx context.Context, _, addr string) (net.Conn, error) {
			return dial(ctx, addr)
		}
	}
	return cfg
}

// detect reads the version once and picks the adapter.
func (c *Conn) detect(ctx context.Context) error {
	rows, err := c.query(ctx, "SELECT VERSION() AS version, @@version_comment AS version_comment")
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return errors.New("version query returned no row")
	}
	f := &fields{r: rows[0]}
	info := ServerInfo{Version: f.str("version"), VersionComment: f.str("version_comment")}
	if err := f.err("server version"); err != nil {
		return err
	}
	c.adapter, err = NewAdapter(info)
	return err
}

// Name is the server's name from its Target.
func (c *Conn) Name() string { return c.name }

// Adapter is the flavour adapter chosen for this server.
func (c *Conn) Adapter() Adapter { return c.adapter }

// Close closes every connection to the server.
func (c *Conn) Close() error { return c.db.Close() }

// callContext bounds one call by the Conn's timeout plus extra.
func (c *Conn) callContext(ctx context.Context, extra time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout+extra)
}

// query runs a statement and reads every row by column name.
func (c *Conn) query(ctx context.Context, query string, args ...any) ([]row, error) {
	return c.queryExtra(ctx, 0, query, args...)
}

// queryExtra is query for statements allowed extra time beyond the Conn's
// timeout.
func (c *Conn) queryExtra(ctx context.Context, extra time.Duration, query string, args ...any) ([]row, error) {
	ctx, cancel := c.callContext(ctx, extra)
	defer cancel()
	rows, err := c.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}

// errorf wraps err with context and removes the Conn's password and the
// statement's secrets from the result.
func (c *Conn) errorf(err error, secrets []string, format string, args ...any) error {
	wrapped := fmt.Errorf(format+": %w", append(args, err)...)
	return redact(wrapped, append(append([]string(nil), c.secrets...), secrets...)...)
}
