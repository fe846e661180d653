package cluster

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"time"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// A new CA (its Secret deleted, so up made another) would leave the pods
// that restart first trusting it alone while the others still present
// certificates of the old one: a replica restarted first could not verify
// the primary, and a rollout that waits for it to replicate would stop
// there. So the TLS Secret's ca.crt is a bundle while the pods roll: the
// current CA first, then every earlier CA it held that has not ended.
// Every server then verifies every other, whichever certificate it
// presents; once every pod runs the new certificate, up drops the old CAs
// (the servers read the CA file at each connection: no restart).

// trustBundle is what the TLS Secret's ca.crt holds once a certificate of
// ca is issued: ca, and the CAs of the previous ca.crt other than ca that
// have not ended.
func trustBundle(ca *certs.CA, previous []byte, now time.Time) []byte {
	out := append([]byte{}, ca.CertPEM...)
	old, err := certs.ParseCertificates(previous)
	if err != nil {
		return out
	}
	for _, cert := range old {
		if !cert.Equal(ca.Cert) && now.Before(cert.NotAfter) {
			out = append(out, certs.EncodeCertificate(cert)...)
		}
	}
	return out
}

// trusts says whether bundle holds ca first: the CA every certificate
// is issued from leads the bundle, where check reads its end.
func trusts(bundle []byte, ca *x509.Certificate) bool {
	all, err := certs.ParseCertificates(bundle)
	return err == nil && all[0].Equal(ca)
}

// trustStep drops the earlier CAs from the TLS Secret once every pod runs
// the current template, so presents a certificate of the current CA. Up
// waited for that; a rollout still under way keeps them (the next up
// drops them).
func (c *Cluster) trustStep(ctx context.Context, _ *upRun) error {
	secret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name))
	if err != nil || secret == nil {
		return err
	}
	bundle := secret.Data[manifest.TLSKeyCA]
	all, err := certs.ParseCertificates(bundle)
	if err != nil || len(all) < 2 {
		return nil
	}
	rolled, err := c.rolledOut(ctx)
	if err != nil {
		return err
	}
	if !rolled {
		c.say(fmt.Sprintf("secret %s still trusts %d earlier CA(s): some pod does not run the new certificate yet; run mysqlctl up again once the rollout is done", secret.Name, len(all)-1))
		return nil
	}
	current := certs.EncodeCertificate(all[0])
	if bytes.Equal(current, bundle) {
		return nil
	}
	s := corev1ac.Secret(secret.Name, c.Namespace()).
		WithLabels(manifest.Labels(c.name, manifest.ComponentTLS)).
		WithType(secret.Type).
		WithData(map[string][]byte{manifest.TLSKeyCA: current,
			manifest.TLSKeyCert: secret.Data[manifest.TLSKeyCert], manifest.TLSKeyKey: secret.Data[manifest.TLSKeyKey]})
	result, err := c.api.Apply(ctx, s)
	if err != nil {
		return err
	}
	c.changed(fmt.Sprintf("%s: the earlier CA is no longer trusted", result))
	return nil
}

// rolledOut: every pod of the StatefulSet runs its current template.
func (c *Cluster) rolledOut(ctx context.Context) (bool, error) {
	sts, err := c.api.GetStatefulSet(ctx, c.name)
	if err != nil || sts == nil {
		return false, err
	}
	want := int32(1)
	if sts.Spec.Replicas != nil {
		want = *sts.Spec.Replicas
	}
	st := sts.Status
	return st.ObservedGeneration >= sts.Generation && st.UpdateRevision != "" && st.CurrentRevision == st.UpdateRevision &&
		st.UpdatedReplicas == want && st.ReadyReplicas == want, nil
}
