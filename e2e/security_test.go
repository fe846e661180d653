package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/mysqlctl/mysqlctl/certs"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// TestSecureByDefault runs a cluster with tls: required in a namespace that
// enforces the restricted Pod Security Standard, then attacks and inspects
// it from inside the cluster:
//   - a pod without credentials gets zero bytes from the clone port of the
//     primary and of a replica (plain TCP, and TLS without a certificate of
//     the cluster's CA), and no backup starts on either server;
//   - replicas replicate over verified TLS, and the replication account
//     cannot log in without it; a client without TLS is refused;
//   - mysqlctl status and check work (they verify the servers' certificate);
//   - no password is in /proc/*/environ or /proc/*/cmdline of any process
//     in any running container;
//   - scale 3 -> 4 still clones, over the authenticated stream;
//   - a certificate close to its end is replaced by up, the pods roll onto
//     it and every row is still on every server.
//
// On each flavour; MySQL has no clone port (its replicas clone over 3306
// with the CLONE plugin, REQUIRE SSL and the cluster's CA), so the first
// step is MariaDB's alone.
func TestSecureByDefault(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, secureByDefault)
}

// tlsWords are what a flavour's client and replica status call TLS.
type tlsWords struct {
	plain, verified string   // client flags: no TLS; TLS verifying the server against /tmp/ca.pem
	replicaStatus   []string // lines of a replica's status over verified TLS
}

var tlsWordsOf = map[string]tlsWords{
	"mariadb": {"--skip-ssl", "--ssl-ca=/tmp/ca.pem --ssl-verify-server-cert",
		[]string{"Slave_IO_Running: Yes", "Master_SSL_Allowed: Yes", "Master_SSL_Verify_Server_Cert: Yes", "Master_SSL_CA_File: /etc/mysqlctl/tls/ca.crt"}},
	"mysql": {"--ssl-mode=DISABLED", "--ssl-ca=/tmp/ca.pem --ssl-mode=VERIFY_IDENTITY",
		[]string{"Replica_IO_Running: Yes", "Source_SSL_Allowed: Yes", "Source_SSL_Verify_Server_Cert: Yes", "Source_SSL_CA_File: /etc/mysqlctl/tls/ca.crt"}},
}

func secureByDefault(t *testing.T, c *testCluster, f flavour) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	words := tlsWordsOf[f.name]
	ns := c.namespace(t, "secure-"+f.name)
	c.enforceRestricted(t, ctx, ns)
	c.mustSucceed(t, 5*time.Minute, append([]string{"up", "-n", ns, "--replicas", "3", "--tls", "required"}, f.upFlags()...)...)
	c.mustSucceed(t, time.Minute, "sql", "-n", ns, "-e", "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY); INSERT INTO app.t VALUES (1), (2), (3)")
	kc, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	passwords := c.passwords(t, ctx, ns)

	t.Run("the clone port gives nothing to a pod without the cluster's certificate", func(t *testing.T) {
		if f.name != "mariadb" {
			return // see above: no clone port
		}
		before := c.backupsStarted(t, ctx, kc, "mysql-0", "mysql-1")
		out := c.runClientPod(t, ctx, ns, `for h in mysql-0.mysql mysql-1.mysql; do
  plain=$(timeout 20 socat -u TCP:$h:3307,connect-timeout=5 - 2>/dev/null | wc -c)
  tls=$(timeout 20 socat -u OPENSSL:$h:3307,verify=0,connect-timeout=5 - 2>/dev/null | wc -c)
  echo "$h plain=$plain tls=$tls"
done`, "")
		for _, h := range []string{"mysql-0.mysql", "mysql-1.mysql"} {
			if !strings.Contains(out, h+" plain=0 tls=0") {
				t.Errorf("a pod without credentials received data from %s:3307:\n%s", h, out)
			}
		}
		if after := c.backupsStarted(t, ctx, kc, "mysql-0", "mysql-1"); after != before {
			t.Errorf("backups started on the donors went from %d to %d: an unauthenticated connection started one", before, after)
		}
		logs := c.containerLogs(t, ctx, ns, "mysql-0", manifest.ContainerSidecar)
		if !strings.Contains(logs, "accepting connection from") || !regexp.MustCompile(`SSL_accept\(\): .*`).MatchString(logs) {
			t.Errorf("mysql-0's sidecar did not log the refused peer and the reason:\n%s", tail(logs, 20))
		}
	})

	t.Run("replication runs over verified TLS and clients without TLS are refused", func(t *testing.T) {
		for _, pod := range []string{"mysql-1", "mysql-2"} {
			status := c.mustSucceed(t, time.Minute, "sql", pod, "-n", ns, "--", "--vertical", "-e", "SHOW REPLICA STATUS").stdout
			for _, want := range words.replicaStatus {
				if !strings.Contains(status, want) {
					t.Errorf("%s: replica status lacks %q:\n%s", pod, want, status)
				}
			}
		}
		ssl := strings.TrimSpace(c.mustSucceed(t, time.Minute, "sql", "-n", ns, "--", "-N", "-e",
			"SELECT ssl_type FROM mysql.user WHERE user = '"+manifest.ReplicationUser+"'").stdout)
		if ssl != "ANY" {
			t.Errorf("the replication account's ssl_type is %q, want ANY (REQUIRE SSL)", ssl)
		}
		// MariaDB refuses a plain login under require_secure_transport as
		// it refuses a REQUIRE SSL account's, with "Access denied" (MySQL
		// says "insecure transport"); the same password over TLS works.
		out, ok := c.tryClientPod(t, ctx, ns, f.client+` `+words.plain+` -h mysql-primary -uroot -p"$PW" -e 'SELECT 1' 2>&1`, passwords[manifest.SecretKeyRootPassword])
		if ok || !(strings.Contains(out, "insecure transport") || strings.Contains(out, "Access denied")) {
			t.Errorf("a client without TLS was not refused (succeeded %v):\n%s", ok, out)
		}
		// A client that verifies the server, with the CA credentials --ca
		// prints and the write Service's name.
		ca := c.mustSucceed(t, time.Minute, "credentials", "--ca", "-n", ns).stdout
		script := fmt.Sprintf(`echo %s | base64 -d >/tmp/ca.pem
%s %s -h mysql-primary -uroot -p"$PW" -N -e "SHOW STATUS LIKE 'Ssl_cipher'"`,
			base64.StdEncoding.EncodeToString([]byte(ca)), f.client, words.verified)
		cipher := c.runClientPod(t, ctx, ns, script, passwords[manifest.SecretKeyRootPassword])
		if !strings.Contains(cipher, "TLS") {
			t.Errorf("a client verifying the server against the CA got no cipher: %q", cipher)
		}
	})

	t.Run("status and check verify the servers", func(t *testing.T) {
		c.mustSucceed(t, 2*time.Minute, "check", "-n", ns)
		out := c.mustSucceed(t, time.Minute, "status", "-n", ns).stdout
		for _, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
			if !strings.Contains(out, pod) {
				t.Errorf("status does not list %s:\n%s", pod, out)
			}
		}
	})

	t.Run("no password in any process's environment or command line", func(t *testing.T) {
		c.assertNoPasswordInProcesses(t, ctx, kc, passwords, "mysql-0", "mysql-1", "mysql-2")
	})

	t.Run("scale clones over the authenticated stream", func(t *testing.T) {
		c.mustSucceed(t, 5*time.Minute, "scale", "-n", ns, "--replicas", "4")
		logs := c.containerLogs(t, ctx, ns, "mysql-3", manifest.ContainerClone)
		if !strings.Contains(logs, "clone complete") {
			t.Errorf("mysql-3 did not clone:\n%s", tail(logs, 20))
		}
		c.expectRows(t, ns, 3, "mysql-3")
	})

	t.Run("up renews a certificate near its end, and the servers reload it without a restart", func(t *testing.T) {
		old := c.shortenCertificate(t, ctx, ns)
		pods := []string{"mysql-0", "mysql-1", "mysql-2", "mysql-3"}
		before := c.podStarts(t, ctx, ns, pods...)
		out := c.mustSucceed(t, 8*time.Minute, append([]string{"up", "-n", ns}, f.upFlags()...)...)
		renewed, err := c.client.CoreV1().Secrets(ns).Get(ctx, manifest.TLSSecretName("mysql"), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := certs.ParseCertificate(renewed.Data[manifest.TLSKeyCert])
		if err != nil {
			t.Fatal(err)
		}
		if cert.SerialNumber.Cmp(old) == 0 || time.Until(cert.NotAfter) < 300*24*time.Hour {
			t.Errorf("the certificate was not renewed: serial %x (was %x), ends %s", cert.SerialNumber, old, cert.NotAfter)
		}
		for _, pod := range pods {
			if !strings.Contains(out.stdout, pod+": presents the renewed certificate") {
				t.Errorf("up did not say %s reloaded the certificate:\n%s", pod, out)
			}
		}
		if after := c.podStarts(t, ctx, ns, pods...); after != before {
			t.Errorf("the renewal restarted servers: pods and restarts %s, were %s", after, before)
		}
		// Every server presents the new certificate to a client that
		// connects now: the TLS handshake of mysqlctl's own connections.
		want := cert.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT")
		for _, pod := range pods {
			got := strings.TrimSpace(c.mustSucceed(t, time.Minute, "sql", pod, "-n", ns, "--", "-N", "-e",
				"SHOW GLOBAL STATUS LIKE 'Ssl_server_not_after'").stdout)
			if !strings.HasSuffix(got, want) {
				t.Errorf("%s presents a certificate ending %q, want %q", pod, got, want)
			}
		}
		(&statusScenario{c: c, ctx: ctx, ns: ns}).checkPasses(t, 2*time.Minute)
		c.expectRows(t, ns, 3, "mysql-0", "mysql-1", "mysql-2", "mysql-3")
	})
}

// podStarts names each pod's uid and its server's restarts, in one line.
func (c *testCluster) podStarts(t *testing.T, ctx context.Context, ns string, pods ...string) string {
	t.Helper()
	var out []string
	for _, name := range pods {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		restarts := int32(-1)
		for _, st := range p.Status.ContainerStatuses {
			if st.Name == manifest.ContainerServer {
				restarts = st.RestartCount
			}
		}
		out = append(out, fmt.Sprintf("%s=%s/%d", name, p.UID, restarts))
	}
	return strings.Join(out, " ")
}

// enforceRestricted labels ns so the API server refuses any pod that breaks
// the restricted Pod Security Standard.
func (c *testCluster) enforceRestricted(t *testing.T, ctx context.Context, ns string) {
	t.Helper()
	patch := []byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"restricted","pod-security.kubernetes.io/enforce-version":"latest"}}}`)
	if _, err := c.client.CoreV1().Namespaces().Patch(ctx, ns, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatalf("label namespace %s restricted: %v", ns, err)
	}
}

// passwords are every password of the cluster's Secret, by key.
func (c *testCluster) passwords(t *testing.T, ctx context.Context, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, key := range manifest.SecretKeys() {
		out[key] = c.secretValue(t, ctx, ns, manifest.SecretName("mysql"), key)
	}
	return out
}

// backupsStarted counts the backups the pods' sidecars started, as their
// logs say ("streaming a hot backup").
func (c *testCluster) backupsStarted(t *testing.T, ctx context.Context, kc *kube.Client, pods ...string) int {
	t.Helper()
	n := 0
	for _, pod := range pods {
		n += strings.Count(c.containerLogs(t, ctx, kc.Namespace(), pod, manifest.ContainerSidecar), "streaming a hot backup")
	}
	return n
}

// assertNoPasswordInProcesses reads the environment and command line of
// every process of every running container of pods, through exec, and
// looks for each password in them.
func (c *testCluster) assertNoPasswordInProcesses(t *testing.T, ctx context.Context, kc *kube.Client, passwords map[string]string, pods ...string) {
	t.Helper()
	script := `for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do cat "$f" 2>/dev/null | tr '\0' '\n'; echo; done`
	for _, pod := range pods {
		for _, container := range []string{manifest.ContainerServer, manifest.ContainerSidecar} {
			var out, errOut bytes.Buffer
			if err := kc.Exec(ctx, pod, container, []string{"bash", "-c", script}, kube.ExecOptions{Stdout: &out, Stderr: &errOut}); err != nil {
				t.Fatalf("read /proc in %s/%s: %v (%s)", pod, container, err, errOut.String())
			}
			if !strings.Contains(out.String(), "PATH=") {
				t.Fatalf("%s/%s: no environment was read, the check is blind:\n%s", pod, container, tail(out.String(), 5))
			}
			for key, pw := range passwords {
				if strings.Contains(out.String(), pw) {
					t.Errorf("%s/%s: the %s is in a process's environment or command line", pod, container, key)
				}
			}
		}
	}
}

// shortenCertificate replaces the servers' certificate by one of the same
// CA that ends in a day, and returns its serial number.
func (c *testCluster) shortenCertificate(t *testing.T, ctx context.Context, ns string) *big.Int {
	t.Helper()
	secrets := c.client.CoreV1().Secrets(ns)
	caSecret, err := secrets.Get(ctx, manifest.CASecretName("mysql"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certs.ParseCA(caSecret.Data[manifest.TLSKeyCA], caSecret.Data[manifest.CAKeyKey])
	if err != nil {
		t.Fatal(err)
	}
	tlsSecret, err := secrets.Get(ctx, manifest.TLSSecretName("mysql"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	current, err := certs.ParseCertificate(tlsSecret.Data[manifest.TLSKeyCert])
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue(current.Subject.CommonName, current.DNSNames, current.IPAddresses, time.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tlsSecret.Data[manifest.TLSKeyCert], tlsSecret.Data[manifest.TLSKeyKey] = cert, key
	if _, err := secrets.Update(ctx, tlsSecret, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	short, err := certs.ParseCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	return short.SerialNumber
}

// expectRows checks that app.t holds want rows on each of pods.
func (c *testCluster) expectRows(t *testing.T, ns string, want int, pods ...string) {
	t.Helper()
	for _, pod := range pods {
		got := strings.TrimSpace(c.mustSucceed(t, time.Minute, "sql", pod, "-n", ns, "--", "-N", "-e", "SELECT COUNT(*) FROM app.t").stdout)
		if got != fmt.Sprint(want) {
			t.Errorf("%s holds %s rows of app.t, want %d", pod, got, want)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
