package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// caRotationUnderAWriter: with a writer inserting through mysql-primary,
// the CA's Secret is deleted and up makes a new CA and a certificate of it,
// which every server reloads without a restart while every server trusts
// both CAs; then it drops the old one. No pod is re-created or restarted,
// every acknowledged row is on every server, the replicas reconnect
// verifying with the new CA alone, and a client verifying with the new CA
// connects while one with the old CA is refused.
func (c *testCluster) caRotationUnderAWriter(t *testing.T, ctx context.Context, f flavour, ns string, pods []string, root, admin string) {
	t.Helper()
	oldCA := c.mustSucceed(t, time.Minute, "credentials", "--ca", "-n", ns).stdout
	w := c.startServiceWriterFrom(ctx, ns, root, 1000000)
	w.waitAcked(t, ctx, 20, time.Minute)
	uids := map[string]string{}
	for _, pod := range pods {
		uids[pod] = c.podUID(t, ctx, ns, pod)
	}
	if err := c.client.CoreV1().Secrets(ns).Delete(ctx, manifest.CASecretName("mysql"), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	res := c.mustSucceed(t, 8*time.Minute, "up", "-n", ns)
	t.Logf("up after the CA's Secret was deleted:\n%s", res)
	for _, want := range []string{"is not signed by the cluster's CA: issuing a new one", "the earlier CA is no longer trusted"} {
		if !strings.Contains(res.stdout+res.stderr, want) {
			t.Errorf("up did not say %q", want)
		}
	}
	for _, pod := range pods {
		if !strings.Contains(res.stdout, pod+": presents the renewed certificate") {
			t.Errorf("up did not say %s reloaded the new certificate", pod)
		}
		if uid := c.podUID(t, ctx, ns, pod); uid != uids[pod] {
			t.Errorf("%s was re-created by the CA rotation", pod)
		}
		if n := c.restartCount(t, ctx, ns, pod); n != 0 {
			t.Errorf("%s's server restarted %d times during the CA rotation (a probe that cannot verify its server restarts it)", pod, n)
		}
	}
	w.waitAcked(t, ctx, w.count()+20, time.Minute)
	acked := w.finish()

	newCA := c.mustSucceed(t, time.Minute, "credentials", "--ca", "-n", ns).stdout
	all, err := certs.ParseCertificates([]byte(newCA))
	if err != nil || len(all) != 1 || newCA == oldCA {
		t.Fatalf("after the rotation credentials --ca prints %d certificates (%v), the old CA again: %v", len(all), err, newCA == oldCA)
	}
	stop, start := "STOP SLAVE", "START SLAVE"
	if f.name == "mysql" {
		stop, start = "STOP REPLICA", "START REPLICA"
	}
	for _, pod := range pods {
		if pod != c.recordedPrimary(t, ns) { // each receiver verifies the primary anew, with the new CA alone
			c.execAs(t, ctx, ns, pod, admin, stop, start)
		}
	}
	c.assertAckedEverywhere(t, ctx, ns, root, acked, pods...)
	c.checkPassesWithin(t, ns, 2*time.Minute, "--checksum")
	primary := c.recordedPrimary(t, ns)
	if err := c.verifiedLogin(ctx, ns, primary, root, newCA); err != nil {
		t.Errorf("a client verifying %s with the new CA: %v", primary, err)
	}
	if err := c.verifiedLogin(ctx, ns, primary, root, oldCA); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client verifying %s with the old CA: %v, want a certificate error", primary, err)
	}
	t.Logf("FIGURE CA rotation on 3 %s servers under a writer: %d inserts acknowledged, %d failed tries, longest gap %s",
		f.name, len(acked), w.failures, w.longestGap.Round(time.Millisecond))
}

// verifiedLogin logs in to pod as root over TLS, verifying its
// certificate against caPEM by the pod's name in the headless Service.
func (c *testCluster) verifiedLogin(ctx context.Context, ns, pod, root, caPEM string) error {
	config, err := certs.ClientTLS([]byte(caPEM), pod+".mysql")
	if err != nil {
		return err
	}
	db, closeDB, err := c.openDBTLS(ctx, ns, pod, "root", root, config)
	if err != nil {
		return err
	}
	defer closeDB()
	return db.PingContext(ctx)
}
