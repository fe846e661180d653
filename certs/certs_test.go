package certs

import (
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"
)

// A certificate the CA issues verifies against the CA's PEM for each of its
// names, for server and client authentication, and never outlives the CA.
func TestIssueVerifies(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue("mysql", []string{"mysql-0.mysql"}, []net.IP{net.IPv4(127, 0, 0, 1)}, now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(keyPEM), "EC PRIVATE KEY") {
		t.Errorf("key PEM %q", keyPEM)
	}
	cert, err := ParseCertificate(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Errorf("certificate ends %v, want the CA's end %v", cert.NotAfter, ca.Cert.NotAfter)
	}
	cfg, err := ClientTLS(ca.CertPEM, "mysql-0.mysql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mysql-0.mysql", "127.0.0.1"} {
		_, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: cfg.RootCAs, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
		if err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: "elsewhere", Roots: cfg.RootCAs, CurrentTime: now}); err == nil {
		t.Error("the certificate verified for a name it does not carry")
	}
}

// ParseCA reads back what NewCA made, and refuses a key of another CA.
func TestParseCA(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseCA(ca.CertPEM, ca.KeyPEM)
	if err != nil || !back.Cert.Equal(ca.Cert) || !back.Key.Equal(ca.Key) {
		t.Fatalf("ParseCA = %v, %v; want the same CA", back, err)
	}
	other, err := NewCA("other CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCA(ca.CertPEM, other.KeyPEM); err == nil || !strings.Contains(err.Error(), "do not belong together") {
		t.Errorf("ParseCA with another CA's key: %v, want a refusal", err)
	}
	if _, err := ClientTLS([]byte("no PEM"), "x"); err == nil {
		t.Error("ClientTLS accepted a text without a certificate")
	}
}
