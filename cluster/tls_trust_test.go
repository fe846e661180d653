package cluster

import (
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
)

// A certificate issued from a new CA goes out with a bundle that still
// trusts the CAs before it (but for one that ended), the new one first;
// one renewed from the same CA trusts that CA alone.
func TestTrustBundleKeepsEarlierCAsWhileThePodsRoll(t *testing.T) {
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	newCA := func(name string, validity time.Duration) *certs.CA {
		ca, err := certs.NewCA(name, now.Add(-time.Hour), validity)
		if err != nil {
			t.Fatal(err)
		}
		return ca
	}
	oldCA, currentCA, endedCA := newCA("old", 10*365*24*time.Hour), newCA("current", 10*365*24*time.Hour), newCA("ended", 30*time.Minute)

	bundle := trustBundle(currentCA, append(append([]byte{}, oldCA.CertPEM...), endedCA.CertPEM...), now)
	all, err := certs.ParseCertificates(bundle)
	if err != nil || len(all) != 2 || !all[0].Equal(currentCA.Cert) || !all[1].Equal(oldCA.Cert) {
		t.Fatalf("bundle after a new CA: %d certificates (%v), want the current CA then the old one", len(all), err)
	}
	if !trusts(bundle, currentCA.Cert) || trusts(bundle, oldCA.Cert) {
		t.Errorf("trusts: the bundle must lead with the current CA")
	}
	if renewed := trustBundle(currentCA, currentCA.CertPEM, now); string(renewed) != string(currentCA.CertPEM) {
		t.Errorf("a certificate renewed from the same CA trusts more than that CA")
	}
	if first := trustBundle(currentCA, nil, now); string(first) != string(currentCA.CertPEM) {
		t.Errorf("a first certificate trusts more than its CA")
	}
}
