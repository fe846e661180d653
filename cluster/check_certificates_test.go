package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// The ends are read from real certificates, as up issues them, and judged
// against the report's time: a year left passes, a server certificate in
// its last 30 days warns (nobody ran up), an ended one fails, and a CA in
// its last days warns with the way to replace it.
func TestCheckCertificates(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := certs.NewCA("test CA", issued, 2*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := ca.Issue("mysql", []string{"mysql"}, nil, issued, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ends := certificateEnds("mysql-tls", map[string][]byte{manifest.TLSKeyCert: certPEM, manifest.TLSKeyCA: ca.CertPEM})
	if len(ends) != 2 || ends[0].Kind != certificateServer || ends[1].Kind != certificateCA {
		t.Fatalf("certificate ends %+v, want the server's then the CA's", ends)
	}
	serverEnd, caEnd := ends[0].NotAfter, ends[1].NotAfter
	for _, tc := range []struct {
		name    string
		at      time.Time
		verdict Verdict
		detail  string
	}{
		{"a year left", issued.Add(time.Hour), Pass, "servers' certificate ends on 2027-01-01, cluster's CA ends on 2028-01-01"},
		{"the server's last month", serverEnd.Add(-10 * 24 * time.Hour), Warn, "the servers' certificate (secret mysql-tls) ends on 2027-01-01, in 10 days: run mysqlctl up to issue a new one"},
		{"the server's ended", serverEnd.Add(time.Minute), Fail, "the servers' certificate (secret mysql-tls) ended on 2027-01-01: TLS connections to the servers fail"},
		{"the CA's last month, the server's ended before", caEnd.Add(-5 * 24 * time.Hour), Fail, "delete Secret mysql-ca, run mysqlctl up"},
	} {
		r := &StatusReport{ObservedAt: tc.at, Cluster: ClusterSummary{Name: "mysql"}, Certificates: ends}
		got := checkCertificates(r)
		if got.Verdict != tc.verdict || !strings.Contains(got.Detail, tc.detail) {
			t.Errorf("%s: %s %q, want %s containing %q", tc.name, got.Verdict, got.Detail, tc.verdict, tc.detail)
		}
	}
	if got := checkCertificates(&StatusReport{}); got.Verdict != Pass || got.Detail != "no TLS certificate to check" {
		t.Errorf("without TLS: %s %q", got.Verdict, got.Detail)
	}
}
