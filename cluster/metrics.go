package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// createMetricsSecret makes the exporter's option file once, before the
// pods that mount it: a pod whose Secret is missing never starts.
func (c *Cluster) createMetricsSecret(ctx context.Context, objects *manifest.Objects) error {
	if objects.MetricsSecret == nil {
		return nil
	}
	data, err := manifest.NewMetricsConfig()
	if err != nil {
		return err
	}
	result, err := c.api.CreateSecretIfAbsent(ctx, objects.MetricsSecret.WithData(data))
	if err != nil {
		return err
	}
	c.changed(result.String())
	return nil
}

// monitoringKinds are the Prometheus Operator's kinds up writes.
var monitoringKinds = []string{kube.KindPodMonitor, kube.KindPrometheusRule}

// applyMonitoring applies the PodMonitor and the PrometheusRule where the
// Prometheus Operator's CRDs are served, and says once when they are not:
// the exporters still answer on their port. Without metrics it deletes
// them, as networkPolicy false deletes the NetworkPolicy.
func (c *Cluster) applyMonitoring(ctx context.Context, spec manifest.Spec) error {
	if !spec.WantsMetrics() {
		for _, kind := range monitoringKinds {
			if err := c.deleteIfOurs(ctx, kind, manifest.MonitoringName(c.name)); err != nil {
				return err
			}
		}
		return nil
	}
	end, err := c.certificatesEnd(ctx)
	if err != nil {
		return err
	}
	for _, obj := range manifest.BuildMonitoring(spec, c.Namespace(), end) {
		served, err := c.api.Serves(ctx, obj.Kind)
		if err != nil {
			return err
		}
		if !served {
			c.say(fmt.Sprintf("metrics: no %s, as this cluster has no Prometheus Operator (its CRDs are not installed); the exporters answer on port %d of every server pod",
				obj.Kind, manifest.PortMetrics))
			continue
		}
		result, err := c.api.Apply(ctx, obj)
		if err != nil {
			return err
		}
		c.changed(result.String())
	}
	return nil
}

// deleteIfOurs deletes kind/name when mysqlctl made it; a missing object
// (or kind) is fine.
func (c *Cluster) deleteIfOurs(ctx context.Context, kind, name string) error {
	result, err := c.api.Delete(ctx, kind, name)
	if err != nil && !errors.Is(err, kube.ErrNotManaged) {
		return err
	}
	if err == nil && result.Action != kube.NotFound {
		c.changed(result.String())
	}
	return nil
}

// certificatesEnd is when the first of the cluster's certificates (the
// servers' or the CA) ends; zero when there is none to read.
func (c *Cluster) certificatesEnd(ctx context.Context) (time.Time, error) {
	secret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name))
	if err != nil || secret == nil {
		return time.Time{}, err
	}
	var first time.Time
	for _, cert := range certificateEnds(secret.Name, secret.Data) {
		if first.IsZero() || cert.NotAfter.Before(first) {
			first = cert.NotAfter
		}
	}
	return first, nil
}

// ensureMetricsAccount gives the exporters their account, on the primary
// so that every replica gets it through replication. It writes only when
// the exporter's login fails: a plain up adds nothing to the binary logs.
func (c *Cluster) ensureMetricsAccount(ctx context.Context, spec manifest.Spec, primary string) error {
	if !spec.WantsMetrics() {
		return nil
	}
	secret, err := c.api.GetSecret(ctx, manifest.MetricsSecretName(c.name))
	if err != nil {
		return err
	}
	password := ""
	if secret != nil {
		password = manifest.MetricsPassword(secret.Data[manifest.MetricsConfigKey])
	}
	if password == "" {
		return fmt.Errorf("secret %s has no password in %s: delete it and run mysqlctl up again, which makes a new one",
			manifest.MetricsSecretName(c.name), manifest.MetricsConfigKey)
	}
	creds, err := c.serverCredentials(ctx)
	if err != nil {
		return err
	}
	p := c.probeWithin(ctx, primary, creds)
	defer p.close()
	if p.server == nil {
		return fmt.Errorf("give the metrics exporter its account on %s: %w", primary, p.err)
	}
	if c.metricsLoginWorks(ctx, p, primary, password, creds.ca) {
		return nil
	}
	hash := sql.NativePasswordHash(password)
	if err := p.server.ExecHiding(ctx, []string{password, hash}, sql.MetricsAccount(p.server.Adapter(), manifest.MetricsUser, password)...); err != nil {
		return fmt.Errorf("give the metrics exporter its account on %s: %w", primary, err)
	}
	c.changed(fmt.Sprintf("account %s on %s created", manifest.MetricsUser, primary))
	return nil
}

// metricsLoginWorks logs in as the exporter does, through the probe's
// tunnel.
func (c *Cluster) metricsLoginWorks(ctx context.Context, p *probe, pod, password string, ca []byte) bool {
	tlsConfig, err := c.clientTLS(ca, pod)
	if err != nil {
		return false
	}
	srv, err := c.open(ctx, sql.Target{
		Name: pod, Addr: p.tunnel.Addr(), User: manifest.MetricsUser, Password: password,
		Dial: p.tunnel.DialContext, Timeout: c.podTimeout(), TLS: tlsConfig,
	})
	if err != nil {
		c.debugf("%s: the metrics account cannot log in: %v", pod, err)
		return false
	}
	_ = srv.Close()
	return true
}
