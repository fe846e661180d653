package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/mysqlctl/mysqlctl/kube"
)

// TestLocalClusterSmoke proves that the cluster under test has what mysqlctl
// relies on: StatefulSets with dynamically provisioned volumes, pod DNS by
// short name and FQDN, ClusterIP Services through kube-proxy, port-forward
// from Go, and volumes that go away with their namespace.
func TestLocalClusterSmoke(t *testing.T) {
	c := requireCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ns := c.namespace(t, "smoke")
	const password = "smoke-secret-pw"
	c.createSmokeObjects(t, ctx, ns, password)
	c.waitPodsReady(t, ctx, ns, "app=smoke", 2)

	t.Run("pod to pod by short DNS name and FQDN, and through a ClusterIP Service", func(t *testing.T) {
		script := `set -e
mariadb -h smoke-1.smoke -uroot -p"$PW" -N -e 'SELECT @@hostname'
getent hosts smoke-0.smoke.` + ns + `.svc.cluster.local >/dev/null && echo fqdn-ok
mariadb -h smoke-read -uroot -p"$PW" -N -e 'SELECT 42'`
		out := c.runClientPod(t, ctx, ns, script, password)
		for _, want := range []string{"smoke-1", "fqdn-ok", "42"} {
			if !strings.Contains(out, want) {
				t.Errorf("client pod output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("port-forward from Go reaches MariaDB", func(t *testing.T) {
		got := c.queryThroughPortForward(t, ctx, ns, "smoke-0", password, "SELECT 1")
		if got != "1" {
			t.Errorf("SELECT 1 through the port-forward returned %q", got)
		}
	})

	t.Run("the channel protocol status uses is served, and names a closed port", func(t *testing.T) {
		client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		greeting := readFromPod(t, ctx, client, "smoke-0", 3306)
		if !strings.Contains(greeting, "MariaDB") {
			t.Errorf("port 3306 greeted with %q, want the server's handshake", greeting)
		}
		if got := readFromPod(t, ctx, client, "smoke-0", 3399); !strings.Contains(got, "3399") {
			t.Errorf("port 3399 (closed): %q, want an error naming the port", got)
		}
	})

	t.Run("client-go's forwarder (the fallback) reaches MariaDB", func(t *testing.T) {
		client, err := kube.NewClient(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		f, err := client.ForwardPort(fctx, "smoke-0", 3306)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		conn, err := f.DialContext(fctx, "")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 256)
		n, _ := conn.Read(buf)
		if !strings.Contains(string(buf[:n]), "MariaDB") {
			t.Errorf("greeted with %q through client-go's forwarder", buf[:n])
		}
	})

	t.Run("deleting the namespace removes pods and volumes", func(t *testing.T) {
		paths := c.volumePaths(t, ctx, ns)
		if len(paths) != 2 {
			t.Fatalf("want 2 provisioned volumes, got %v", paths)
		}
		c.deleteNamespace(t, ns, 2*time.Minute)
		err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(context.Context) (bool, error) {
			for _, p := range paths {
				if _, err := os.Stat(p); err == nil {
					return false, nil
				}
			}
			return true, nil
		})
		if err != nil {
			t.Errorf("host-path volumes %v still exist after the namespace was deleted", paths)
		}
	})
}

// readFromPod connects to port of pod over the channel protocol alone (no
// fallback) and returns what the pod sent first, or the read's error.
func readFromPod(t *testing.T, ctx context.Context, client *kube.Client, pod string, port int) string {
	t.Helper()
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := client.DialPod(dctx, pod, port)
	if err != nil {
		t.Fatalf("the API server refused the channel protocol for %s:%d: %v", pod, port, err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 256)
	n, err := conn.Read(buf)
	if err != nil {
		return err.Error()
	}
	return string(buf[:n])
}

func (c *testCluster) createSmokeObjects(t *testing.T, ctx context.Context, ns, password string) {
	t.Helper()
	labels := map[string]string{"app": "smoke"}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"}, StringData: map[string]string{"password": password},
	}, metav1.CreateOptions{}))
	port := []corev1.ServicePort{{Name: "mysql", Port: 3306}}
	must(c.client.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
		Spec:       corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Selector: labels, Ports: port, PublishNotReadyAddresses: true},
	}, metav1.CreateOptions{}))
	must(c.client.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke-read"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: port},
	}, metav1.CreateOptions{}))
	must(c.client.AppsV1().StatefulSets(ns).Create(ctx, smokeStatefulSet(c.mariadbImage, labels), metav1.CreateOptions{}))
}

func smokeStatefulSet(image string, labels map[string]string) *appsv1.StatefulSet {
	password := &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "smoke"}, Key: "password"}}
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
		Spec: appsv1.StatefulSetSpec{
			ServiceName: "smoke", Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: ptr.To[int64](5),
					Containers: []corev1.Container{{
						Name: "mariadb", Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
						Env:          []corev1.EnvVar{{Name: "MARIADB_ROOT_PASSWORD", ValueFrom: password}},
						Ports:        []corev1.ContainerPort{{Name: "mysql", ContainerPort: 3306}},
						VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/mysql"}},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{
								"sh", "-c", `mariadb-admin --protocol=tcp -h127.0.0.1 -uroot -p"$MARIADB_ROOT_PASSWORD" ping`}}},
							PeriodSeconds: 1,
						},
					}},
				},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse("100Mi")}},
				},
			}},
		},
	}
}

// volumePaths returns the host directories behind the namespace's PVCs.
func (c *testCluster) volumePaths(t *testing.T, ctx context.Context, ns string) []string {
	t.Helper()
	pvs, err := c.client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, pv := range pvs.Items {
		if pv.Spec.ClaimRef != nil && pv.Spec.ClaimRef.Namespace == ns && pv.Spec.HostPath != nil {
			if _, err := os.Stat(pv.Spec.HostPath.Path); err != nil {
				t.Errorf("volume %s: host path %s missing: %v", pv.Name, pv.Spec.HostPath.Path, err)
			}
			paths = append(paths, pv.Spec.HostPath.Path)
		}
	}
	return paths
}
