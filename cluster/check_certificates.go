package cluster

import (
	"fmt"
	"strings"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// Certificate is the end of one of the cluster's TLS certificates, read
// from the servers' TLS Secret (the public halves only: status never
// reads a key).
type Certificate struct {
	// Kind is "server" (the certificate every server presents) or "ca"
	// (the cluster's CA, which signed it and which clients verify with).
	Kind     string    `json:"kind"`
	Secret   string    `json:"secret"`
	NotAfter time.Time `json:"notAfter"`
}

// Kinds of Certificate.
const (
	certificateServer = "server"
	certificateCA     = "ca"
)

// certificateEnds reads the ends of the certificates in the TLS Secret's
// data; one that cannot be parsed is left out (up replaces it, and the
// servers' TLS errors show it).
func certificateEnds(secret string, data map[string][]byte) []Certificate {
	var out []Certificate
	for _, c := range []struct{ kind, key string }{{certificateServer, manifest.TLSKeyCert}, {certificateCA, manifest.TLSKeyCA}} {
		if cert, err := certs.ParseCertificate(data[c.key]); err == nil {
			out = append(out, Certificate{Kind: c.kind, Secret: secret, NotAfter: cert.NotAfter.UTC()})
		}
	}
	return out
}

// checkCertificates: no certificate has ended, and none ends within the
// time up renews the servers' certificate in (renewBefore), which warns:
// nobody may run up before it ends. The CA is never renewed by up.
func checkCertificates(r *StatusReport) CheckResult {
	var t tally
	var ends []string
	for _, c := range r.Certificates {
		what, remedy := "the servers' certificate", "run mysqlctl up to issue a new one"
		if c.Kind == certificateCA {
			what, remedy = "the cluster's CA", fmt.Sprintf("replace it: delete Secret %s, run mysqlctl up, and give clients the new mysqlctl credentials --ca (README, \"Rotating\")",
				manifest.CASecretName(r.Cluster.Name))
		}
		when := c.NotAfter.Format(time.DateOnly)
		left := c.NotAfter.Sub(r.ObservedAt)
		switch {
		case left <= 0:
			t.fail("%s (secret %s) ended on %s: TLS connections to the servers fail; %s", what, c.Secret, when, remedy)
		case left < renewBefore:
			t.warn("%s (secret %s) ends on %s, in %d days: %s", what, c.Secret, when, int(left.Hours()/24), remedy)
		}
		ends = append(ends, fmt.Sprintf("%s ends on %s", strings.TrimPrefix(what, "the "), when))
	}
	if len(r.Certificates) == 0 {
		return t.result(CheckCertificatesValid, "no TLS certificate to check")
	}
	return t.result(CheckCertificatesValid, strings.Join(ends, ", "))
}
