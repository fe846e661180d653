package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// reloadTimeout bounds the wait for every server to present a renewed
// certificate: the kubelet refreshes a pod's Secret files when the pod
// changes (reloadTLS annotates it), else at its next sync, about a minute.
const reloadTimeout = 3 * time.Minute

// reloadEvery is how often a server still presenting the old certificate
// is asked to reload its files.
const reloadEvery = 2 * time.Second

// reloadsTLS says whether the flavour's servers load a new certificate
// without a restart (sql.ReloadTLS): all but MySQL 5.7.
func reloadsTLS(f manifest.Flavor) bool { return f != manifest.FlavorMySQL57 }

// reloadTLS makes every server that answers present the certificate of
// the TLS Secret, without restarting it: up renews the certificate 30 days
// before its end, and a restart of the primary would stop writes. Each
// such server's pod is annotated with the new serial, so the kubelet
// writes the new files at once, and the server is asked to reload them
// until it presents the new certificate. A server that does not answer is
// left: it reads the files when it starts.
func (c *Cluster) reloadTLS(ctx context.Context, flavor manifest.Flavor) error {
	if !reloadsTLS(flavor) {
		return nil
	}
	secret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name))
	if err != nil || secret == nil {
		return err
	}
	cert, err := certs.ParseCertificate(secret.Data[manifest.TLSKeyCert])
	if err != nil {
		return fmt.Errorf("the servers' certificate in secret %s: %w", manifest.TLSSecretName(c.name), err)
	}
	want := cert.NotAfter.UTC().Truncate(time.Second)
	creds, err := c.serverCredentials(ctx)
	if err != nil {
		return err
	}
	probes, err := c.probeServers(ctx, creds)
	if err != nil {
		return err
	}
	defer closeProbes(probes)
	stale := map[string]*probe{}
	for pod, p := range probes {
		if end, err := certificateEnd(ctx, p.server); err != nil {
			c.debugf("%s: the certificate it presents: %v", pod, err)
		} else if !end.Equal(want) {
			stale[pod] = p
		}
	}
	if len(stale) == 0 {
		return nil
	}
	c.say(fmt.Sprintf("the servers' certificate was renewed (serial %x, ends %s): %s load it without a restart",
		cert.SerialNumber, want.Format(time.DateOnly), strings.Join(sortedKeys(stale), ", ")))
	for pod := range stale {
		if err := c.api.AnnotatePod(ctx, pod, AnnotationTLSSerial, cert.SerialNumber.Text(16)); err != nil {
			return err
		}
	}
	return c.waitReloaded(ctx, stale, creds, want)
}

// waitReloaded asks each server of stale to reload its certificate until
// it presents the one that ends at want to a new connection.
func (c *Cluster) waitReloaded(ctx context.Context, stale map[string]*probe, creds credentials, want time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, reloadTimeout)
	defer cancel()
	tick := time.NewTicker(reloadEvery)
	defer tick.Stop()
	seen := map[string]string{}
	for {
		for pod, p := range stale {
			reload, _ := sql.ReloadTLS(p.server.Adapter())
			if err := p.server.Exec(ctx, reload); err != nil {
				seen[pod] = err.Error()
				continue
			}
			end, err := c.presentedEnd(ctx, pod, p, creds)
			switch {
			case err != nil:
				seen[pod] = err.Error()
			case end.Equal(want):
				c.changed(pod + ": presents the renewed certificate")
				delete(stale, pod)
			default:
				seen[pod] = "it presents the certificate that ends " + end.Format(time.DateOnly) + " (its pod has not seen the renewed Secret yet)"
			}
		}
		if len(stale) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			var why []string
			for _, pod := range sortedKeys(stale) {
				why = append(why, pod+": "+seen[pod])
			}
			return fmt.Errorf("the renewed certificate is not loaded after %s (%s): run mysqlctl up again, or delete those pods, which start on it",
				reloadTimeout, strings.Join(why, "; "))
		case <-tick.C:
		}
	}
}

// presentedEnd is the end of the certificate pod's server presents to a
// new connection, through the probe's tunnel: MariaDB's Ssl_server_not_after
// is the certificate of the connection that asks, from before a reload.
func (c *Cluster) presentedEnd(ctx context.Context, pod string, p *probe, creds credentials) (time.Time, error) {
	tlsConfig, err := c.clientTLS(creds.ca, pod)
	if err != nil {
		return time.Time{}, err
	}
	srv, err := c.open(ctx, sql.Target{Name: pod, Addr: p.tunnel.Addr(), User: creds.user, Password: creds.password,
		Dial: p.tunnel.DialContext, Timeout: c.podTimeout(), TLS: tlsConfig})
	if err != nil {
		return time.Time{}, err
	}
	defer srv.Close()
	return certificateEnd(ctx, srv)
}

// certificateEnd is the end of the certificate srv presents on its own
// connection.
func certificateEnd(ctx context.Context, srv Server) (time.Time, error) {
	col, err := srv.Column(ctx, sql.CertificateEndQuery(srv.Adapter()))
	if err != nil {
		return time.Time{}, err
	}
	if len(col) == 0 {
		return time.Time{}, fmt.Errorf("no Ssl_server_not_after: the server has no TLS")
	}
	return sql.ParseCertificateEnd(col[0])
}

// probeServers logs in to the server of every pod of the cluster as the
// admin account, in parallel; pods whose server does not answer are left
// out. Close the probes with closeProbes.
func (c *Cluster) probeServers(ctx context.Context, creds credentials) (map[string]*probe, error) {
	pods, err := c.api.ListPods(ctx, manifest.PodSelector(c.name))
	if err != nil {
		return nil, err
	}
	slots := memberSlots(c.name, pods, 0)
	out := map[string]*probe{}
	for i, p := range c.probeAll(ctx, slots, creds) {
		if p.server == nil {
			c.debugf("%s: %v", slots[i].name, p.err)
			p.close()
			continue
		}
		out[slots[i].name] = p
	}
	return out, nil
}

func closeProbes(probes map[string]*probe) {
	for _, p := range probes {
		p.close()
	}
}

// serverCredentials are the admin account's and the CA the servers'
// certificates are checked against.
func (c *Cluster) serverCredentials(ctx context.Context) (credentials, error) {
	creds := c.adminCredentials(c.api.GetSecret(ctx, manifest.SecretName(c.name)))
	if creds.err != nil {
		return creds, creds.err
	}
	tlsSecret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name))
	if err != nil {
		return creds, err
	}
	if tlsSecret != nil {
		creds.ca = tlsSecret.Data[manifest.TLSKeyCA]
	}
	return creds, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
