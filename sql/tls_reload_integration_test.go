package sql

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
)

// writeRenewedCertificate writes into dir a certificate and key of the
// tests' CA (the servers load only one their CA signed) that end in half
// an hour, unlike the shared one (an hour, the CA's end), and returns when
// it ends as the servers report it (to the second).
func writeRenewedCertificate(t *testing.T, dir string) time.Time {
	t.Helper()
	now := time.Now()
	shared := tlsDir(t)
	caCert, err := os.ReadFile(filepath.Join(shared, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := os.ReadFile(filepath.Join(shared, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certs.ParseCA(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue("127.0.0.1", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, now, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"tls.crt": certPEM, "tls.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := certs.ParseCertificate(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert.NotAfter.UTC().Truncate(time.Second)
}

// presentedEnd reads what the server says of its certificate's end.
func presentedEnd(t *testing.T, c *Conn) time.Time {
	t.Helper()
	col, err := c.Column(context.Background(), CertificateEndQuery(c.Adapter()))
	if err != nil || len(col) != 1 {
		t.Fatalf("%s: %v (%q)", CertificateEndQuery(c.Adapter()).SQL, err, col)
	}
	end, err := ParseCertificateEnd(col[0])
	if err != nil {
		t.Fatal(err)
	}
	return end
}

// checkReload: the server presents the certificate it started with, and
// after ReloadTLS the one now in its files to a new connection (MariaDB's
// Ssl_server_not_after is the certificate of the connection that asks).
func checkReload(t *testing.T, c *Conn, reopen func() *Conn, renew func() time.Time) {
	t.Helper()
	before := presentedEnd(t, c)
	want := renew()
	if before.Equal(want) {
		t.Fatalf("the renewed certificate ends when the first does (%s): the test proves nothing", want)
	}
	reload, ok := ReloadTLS(c.Adapter())
	if !ok {
		t.Fatalf("%s cannot reload its certificate", c.Adapter().Flavour())
	}
	if err := c.Exec(context.Background(), reload); err != nil {
		t.Fatalf("%s: %v", reload.SQL, err)
	}
	fresh := reopen()
	defer fresh.Close()
	if got := presentedEnd(t, fresh); !got.Equal(want) {
		t.Errorf("after %s the server presents a certificate ending %s, want %s (was %s)", reload.SQL, got, want, before)
	}
}

// TestMariaDBReloadsItsCertificate runs FLUSH LOCAL SSL on a real mariadbd
// and reads Ssl_server_not_after before and after, and checks the FLUSH
// wrote nothing to the binary log (it would be an errant transaction on a
// replica).
func TestMariaDBReloadsItsCertificate(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"tls.crt", "tls.key"} {
		data, err := os.ReadFile(filepath.Join(tlsDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := startMariaDB(t, "reload", 1, "--ssl-cert="+filepath.Join(dir, "tls.crt"), "--ssl-key="+filepath.Join(dir, "tls.key"))
	gtid := func() string {
		col, err := s.conn.Column(context.Background(), Statement{SQL: "SELECT @@GLOBAL.gtid_binlog_pos"})
		if err != nil || len(col) != 1 {
			t.Fatal(err)
		}
		return col[0]
	}
	before := gtid()
	reopen := func() *Conn {
		c, err := Open(context.Background(), s.target("root", ""))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	checkReload(t, s.conn, reopen, func() time.Time { return writeRenewedCertificate(t, dir) })
	if after := gtid(); after != before {
		t.Errorf("the reload wrote to the binary log: gtid_binlog_pos %q, was %q", after, before)
	}
}

// TestMySQLReloadsItsCertificate runs ALTER INSTANCE RELOAD TLS on a real
// mysqld 9.7, its certificate files moved by SET GLOBAL ssl_cert (the
// server's own files are the tests' shared ones).
func TestMySQLReloadsItsCertificate(t *testing.T) {
	s := launchMySQL(t, "reload", 1)
	s.waitReady(t)
	tls := filepath.Join(s.dir, "tls")
	if err := os.MkdirAll(tls, 0o755); err != nil {
		t.Fatal(err)
	}
	reopen := func() *Conn {
		c, err := Open(context.Background(), s.target("root", ""))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	checkReload(t, s.conn, reopen, func() time.Time {
		end := writeRenewedCertificate(t, tls)
		inner := s.inner + "/tls/"
		if err := s.conn.Exec(context.Background(), Statement{SQL: "SET GLOBAL ssl_cert = '" + inner + "tls.crt', ssl_key = '" + inner + "tls.key'"}); err != nil {
			t.Fatal(err)
		}
		return end
	})
}
