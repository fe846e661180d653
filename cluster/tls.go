package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// The cluster's TLS: up makes a CA once (Secret <name>-ca, which no pod
// mounts) and from it the one certificate every server presents (Secret
// <name>-tls, which every pod mounts). A later up issues a new certificate
// when the old one nears its end, and the servers load it without a
// restart (tls_reload.go); only mysql57, whose server cannot, rolls onto
// it (its pod template carries the certificate's serial number).
const (
	caValidity   = 10 * 365 * 24 * time.Hour
	certValidity = 365 * 24 * time.Hour
	// renewBefore is how long before its end up replaces a certificate.
	renewBefore = 30 * 24 * time.Hour
)

// AnnotationTLSSerial is the serial number of the servers' certificate: on
// the pod template of a flavour that cannot reload it (a new certificate
// rolls the pods), and on each pod whose server is asked to reload it.
const AnnotationTLSSerial = "mysqlctl.io/tls-serial"

// clusterDomain is the suffix of in-cluster DNS names. Clusters with
// another domain still have every shorter name in the certificate.
const clusterDomain = "cluster.local"

// certificateNames are every name a client or peer may reach a server by:
// each possible pod (up to maxReplicas), the Services, the bare cluster
// name (peers found by address check it on the clone stream), each short
// and qualified, and the loopback address the pods' own scripts use.
func certificateNames(name, ns string) ([]string, []net.IP) {
	hosts := []string{manifest.HeadlessServiceName(name), manifest.ReadServiceName(name), manifest.PrimaryServiceName(name)}
	for i := 0; i < maxReplicas; i++ {
		hosts = append(hosts, manifest.PodHost(name, i))
	}
	var dns []string
	for _, h := range hosts {
		dns = append(dns, h, h+"."+ns, h+"."+ns+".svc", h+"."+ns+".svc."+clusterDomain)
	}
	return append(dns, "localhost"), []net.IP{net.IPv4(127, 0, 0, 1)}
}

// ensureTLS makes the CA when there is none and a certificate when there
// is none, it expires within renewBefore, another CA signed it or it lacks
// a name; it returns the serial number of the certificate in force.
func (c *Cluster) ensureTLS(ctx context.Context, now time.Time) (string, error) {
	ca, err := c.ensureCA(ctx, now)
	if err != nil {
		return "", err
	}
	secret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name))
	if err != nil {
		return "", err
	}
	dns, ips := certificateNames(c.name, c.Namespace())
	var previous []byte
	if secret != nil {
		previous = secret.Data[manifest.TLSKeyCA]
		cert, why := usableCertificate(secret, ca, dns, now)
		if why == "" {
			return cert.SerialNumber.Text(16), nil
		}
		c.say(fmt.Sprintf("the servers' certificate %s: issuing a new one", why))
	}
	certPEM, keyPEM, err := ca.Issue(manifest.HeadlessServiceName(c.name), dns, ips, now, certValidity)
	if err != nil {
		return "", fmt.Errorf("issue the servers' certificate: %w", err)
	}
	s := corev1ac.Secret(manifest.TLSSecretName(c.name), c.Namespace()).
		WithLabels(manifest.Labels(c.name, manifest.ComponentTLS)).
		WithType(corev1.SecretTypeOpaque).
		WithData(map[string][]byte{manifest.TLSKeyCA: trustBundle(ca, previous, now), manifest.TLSKeyCert: certPEM, manifest.TLSKeyKey: keyPEM})
	result, err := c.api.Apply(ctx, s)
	if err != nil {
		return "", err
	}
	c.changed(result.String())
	cert, err := certs.ParseCertificate(certPEM)
	if err != nil {
		return "", err
	}
	return cert.SerialNumber.Text(16), nil
}

// ensureCA reads the cluster's CA, making it the first time. Create, not
// apply: two racing runs must not each make their own.
func (c *Cluster) ensureCA(ctx context.Context, now time.Time) (*certs.CA, error) {
	secret, err := c.api.GetSecret(ctx, manifest.CASecretName(c.name))
	if err != nil {
		return nil, err
	}
	if secret == nil {
		ca, err := certs.NewCA(fmt.Sprintf("mysqlctl CA of %s/%s", c.Namespace(), c.name), now, caValidity)
		if err != nil {
			return nil, err
		}
		s := corev1ac.Secret(manifest.CASecretName(c.name), c.Namespace()).
			WithLabels(manifest.Labels(c.name, manifest.ComponentTLS)).
			WithType(corev1.SecretTypeOpaque).
			WithData(map[string][]byte{manifest.TLSKeyCA: ca.CertPEM, manifest.CAKeyKey: ca.KeyPEM})
		result, err := c.api.CreateSecretIfAbsent(ctx, s)
		if err != nil {
			return nil, err
		}
		c.changed(result.String())
		if secret, err = c.api.GetSecret(ctx, manifest.CASecretName(c.name)); err != nil || secret == nil {
			return nil, fmt.Errorf("read secret %s back: %v", manifest.CASecretName(c.name), err)
		}
	}
	ca, err := certs.ParseCA(secret.Data[manifest.TLSKeyCA], secret.Data[manifest.CAKeyKey])
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s: %w: delete it and the TLS Secret %s to make new ones", c.Namespace(), manifest.CASecretName(c.name), err, manifest.TLSSecretName(c.name))
	}
	return ca, nil
}

// usableCertificate returns the Secret's certificate, or why it will not do.
func usableCertificate(secret *corev1.Secret, ca *certs.CA, dns []string, now time.Time) (*x509.Certificate, string) {
	cert, err := certs.ParseCertificate(secret.Data[manifest.TLSKeyCert])
	if err != nil || len(secret.Data[manifest.TLSKeyKey]) == 0 {
		return nil, "is unreadable"
	}
	if !trusts(secret.Data[manifest.TLSKeyCA], ca.Cert) || cert.CheckSignatureFrom(ca.Cert) != nil {
		return nil, "is not signed by the cluster's CA"
	}
	if left := cert.NotAfter.Sub(now); left < renewBefore {
		return nil, fmt.Sprintf("expires %s (in %s)", cert.NotAfter.UTC().Format(time.RFC3339), left.Round(time.Minute))
	}
	for _, n := range dns {
		if !slices.Contains(cert.DNSNames, n) {
			return nil, "lacks the name " + n
		}
	}
	return cert, ""
}

// clientTLS is how mysqlctl verifies the server of pod: against the CA in
// the TLS Secret, by the pod's name in the headless Service. Nil (no TLS)
// for a cluster made before it had one.
func (c *Cluster) clientTLS(ca []byte, pod string) (*tls.Config, error) {
	if len(ca) == 0 {
		return nil, nil
	}
	return certs.ClientTLS(ca, pod+"."+manifest.HeadlessServiceName(c.name))
}
