package cluster

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// TestRenewedCertificateIsReloadedNotRolled: the server that presents the
// old certificate is asked to reload it (FLUSH LOCAL SSL on MariaDB: no
// binlog event on a replica) and its pod is annotated so the kubelet
// writes the new files at once; the one that presents it already is left.
func TestRenewedCertificateIsReloadedNotRolled(t *testing.T) {
	ca, err := certs.NewCA("test", testNow, 24*time.Hour*3650)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue("mysql", []string{"mysql"}, nil, testNow, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := certs.ParseCertificate(certPEM)
	newEnd := cert.NotAfter.UTC().Format("Jan _2 15:04:05 2006 MST")
	oldEnd := cert.NotAfter.Add(-300 * 24 * time.Hour).UTC().Format("Jan _2 15:04:05 2006 MST")
	servers := healthyServers(2)
	servers["mysql-0"].certificateEnds = []string{oldEnd, newEnd}
	servers["mysql-1"].certificateEnds = []string{newEnd}
	cs := fake.NewClientset(append(clusterObjects(2), &corev1.Secret{ObjectMeta: meta(manifest.TLSSecretName("mysql")),
		Data: map[string][]byte{manifest.TLSKeyCert: certPEM, manifest.TLSKeyKey: keyPEM, manifest.TLSKeyCA: ca.CertPEM}})...)
	c := newTestClusterOn(t, cs, servers)
	var said []string
	c.progress = func(line string) { said = append(said, line) }
	c.changes = func(line string) { said = append(said, line) }

	if err := c.reloadTLS(context.Background(), manifest.FlavorMariaDB); err != nil {
		t.Fatal(err)
	}
	if got := servers["mysql-0"].executed; !slices.Equal(got, []string{"FLUSH LOCAL SSL"}) {
		t.Errorf("mysql-0 ran %q, want one FLUSH LOCAL SSL", got)
	}
	if got := servers["mysql-1"].executed; len(got) != 0 {
		t.Errorf("mysql-1, which presents the renewed certificate, ran %q", got)
	}
	for pod, want := range map[string]string{"mysql-0": cert.SerialNumber.Text(16), "mysql-1": ""} {
		p, err := cs.CoreV1().Pods(testNS).Get(context.Background(), pod, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Annotations[AnnotationTLSSerial]; got != want {
			t.Errorf("%s annotated %s=%q, want %q", pod, AnnotationTLSSerial, got, want)
		}
	}
	if text := strings.Join(said, "\n"); !strings.Contains(text, "mysql-0: presents the renewed certificate") || strings.Contains(text, "mysql-1") {
		t.Errorf("up said:\n%s", text)
	}
	if err := c.reloadTLS(context.Background(), manifest.FlavorMySQL57); err != nil || len(servers["mysql-0"].executed) != 1 {
		t.Errorf("mysql57, which rolls onto a new certificate, was asked to reload: %v", err)
	}
}
