package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestLifecycle is the tutorial's walkthrough and more, through the built
// binary on the local cluster: up, writes on the primary, reads balanced
// over the servers, read-only replicas, scale up and down, idempotent up,
// down keeping data, up bringing it back, and purge; on each flavour.
func TestLifecycle(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	c.forEachFlavour(t, lifecycle)
}

func lifecycle(t *testing.T, c *testCluster, f flavour) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	ns := c.namespace(t, "life-"+f.name)
	// scale and down take only what they use: the name and the namespace.
	flags := append([]string{"-n", ns}, f.upFlags()...)
	up := c.mustSucceed(t, 10*time.Minute, append([]string{"up", "--replicas", "3"}, flags...)...)
	t.Logf("FIGURE up of 3 servers took %s", up.took.Round(100*time.Millisecond))
	pw := c.secretValue(t, ctx, ns, "mysql-credentials", "root-password")
	if strings.Contains(up.stdout+up.stderr, pw) {
		t.Errorf("up printed the root password")
	}

	sql := func(host, statements string) string {
		return c.runClientPod(t, ctx, ns, f.client+` -h `+host+` -uroot -p"$PW" -N -e "`+statements+`"`, pw)
	}
	sql("mysql-0.mysql", "CREATE DATABASE test; CREATE TABLE test.messages (message VARCHAR(250)); INSERT INTO test.messages VALUES ('hello')")

	t.Run("reads through mysql-read are balanced and see the write", func(t *testing.T) {
		out := c.runClientPod(t, ctx, ns, `for i in $(seq 30); do
  `+f.client+` -h mysql-read -uroot -p"$PW" -N -e "SELECT @@server_id, message FROM test.messages"
done`, pw)
		servers := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			fields := strings.Fields(line)
			if len(fields) != 2 || fields[1] != "hello" {
				t.Fatalf("unexpected read through mysql-read: %q\n%s", line, out)
			}
			servers[fields[0]] = true
		}
		if len(servers) < 2 {
			t.Errorf("30 reads through mysql-read were all answered by %v: want more than one server", servers)
		}
	})

	t.Run("a replica refuses writes, root included", func(t *testing.T) {
		out, ok := c.tryClientPod(t, ctx, ns, f.client+` -h mysql-1.mysql -uroot -p"$PW" -e "INSERT INTO test.messages VALUES ('on a replica')"`, pw)
		if ok || !strings.Contains(out, "1290") {
			t.Errorf("INSERT on mysql-1 as root: want ERROR 1290 (read-only), got success=%v:\n%s", ok, out)
		}
	})

	primaryUID := c.podUID(t, ctx, ns, "mysql-0")
	t.Run("scale to 5: new servers clone the data and replicate", func(t *testing.T) {
		res := c.mustSucceed(t, 10*time.Minute, "scale", "--replicas", "5", "-n", ns)
		t.Logf("FIGURE scale 3->5 took %s", res.took.Round(100*time.Millisecond))
		sql("mysql-0.mysql", "INSERT INTO test.messages VALUES ('after scale')")
		for _, pod := range []string{"mysql-3", "mysql-4"} {
			out := c.runClientPod(t, ctx, ns, `for i in $(seq 50); do
  n=$(`+f.client+` -h `+pod+`.mysql -uroot -p"$PW" -N -e "SELECT COUNT(*) FROM test.messages WHERE message IN ('hello','after scale')")
  [ "$n" = 2 ] && { echo caught-up; exit 0; }
  sleep 0.2
done
echo "rows: $n"; exit 1`, pw)
			if !strings.Contains(out, "caught-up") {
				t.Errorf("%s does not hold both rows: %s", pod, out)
			}
		}
	})

	t.Run("scale to 2: pods 2-4 and their volumes go, the primary stays", func(t *testing.T) {
		c.mustSucceed(t, 5*time.Minute, "scale", "--replicas", "2", "-n", ns)
		pods := c.podNames(t, ctx, ns)
		if strings.Join(pods, ",") != "mysql-0,mysql-1" {
			t.Errorf("pods after scale to 2: %v", pods)
		}
		pvcs := c.pvcNames(t, ctx, ns)
		if strings.Join(pvcs, ",") != "data-mysql-0,data-mysql-1" {
			t.Errorf("volumes after scale to 2: %v", pvcs)
		}
		if uid := c.podUID(t, ctx, ns, "mysql-0"); uid != primaryUID {
			t.Errorf("the primary pod was replaced during scaling (uid %s -> %s)", primaryUID, uid)
		}
	})

	t.Run("up again changes nothing", func(t *testing.T) {
		// What a command changed goes to stdout, also under -q.
		res := c.mustSucceed(t, 5*time.Minute, append([]string{"up", "-q"}, flags...)...)
		out := res.stdout
		for _, obj := range []string{"secret/mysql-credentials", "configmap/mysql-config", "service/mysql", "service/mysql-read", "statefulset/mysql"} {
			if !strings.Contains(out, obj+" unchanged") {
				t.Errorf("second up: want %q in the output:\n%s", obj+" unchanged", out)
			}
		}
		if strings.Contains(out, "configured") || strings.Contains(out, "created") {
			t.Errorf("second up changed something:\n%s", out)
		}
		if res.stderr != "" {
			t.Errorf("up -q printed progress:\n%s", res.stderr)
		}
		if pods := c.podNames(t, ctx, ns); len(pods) != 2 {
			t.Errorf("second up without --replicas changed the server count: %v", pods)
		}
	})

	t.Run("scale down with --keep-pvcs keeps the removed server's volume", func(t *testing.T) {
		if !f.runsFlavourFreeSteps() {
			return
		}
		c.mustSucceed(t, 5*time.Minute, "scale", "--replicas", "3", "-n", ns)
		c.mustSucceed(t, 5*time.Minute, "scale", "--replicas", "2", "--keep-pvcs", "-n", ns)
		if pods := c.podNames(t, ctx, ns); strings.Join(pods, ",") != "mysql-0,mysql-1" {
			t.Errorf("pods after scale to 2 --keep-pvcs: %v", pods)
		}
		if pvcs := c.pvcNames(t, ctx, ns); strings.Join(pvcs, ",") != "data-mysql-0,data-mysql-1,data-mysql-2" {
			t.Errorf("volumes after scale to 2 --keep-pvcs: want data-mysql-2 kept, got %v", pvcs)
		}
	})

	t.Run("a spec change rolls out", func(t *testing.T) {
		if !f.runsFlavourFreeSteps() {
			return
		}
		res := c.mustSucceed(t, 5*time.Minute, append([]string{"up", "--memory", "300Mi"}, flags...)...)
		if !strings.Contains(res.stdout, "statefulset/mysql configured") {
			t.Errorf("up with a new memory request should configure the StatefulSet:\n%s", res)
		}
		for _, pod := range c.podNames(t, ctx, ns) {
			p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, ctr := range p.Spec.Containers {
				if ctr.Name == "mysql" && ctr.Resources.Requests.Memory().String() != "300Mi" {
					t.Errorf("%s runs with memory request %s after the roll-out, want 300Mi", pod, ctr.Resources.Requests.Memory())
				}
			}
		}
		if out := sql("mysql-0.mysql", "SELECT COUNT(*) FROM test.messages"); strings.TrimSpace(out) != "2" {
			t.Errorf("after the roll-out the primary holds %q rows, want 2", out)
		}
	})

	t.Run("down keeps volumes and credentials; up brings the data back", func(t *testing.T) {
		c.mustSucceed(t, 5*time.Minute, "down", "-n", ns)
		if pods := c.podNames(t, ctx, ns); len(pods) != 0 {
			t.Errorf("pods left after down: %v", pods)
		}
		// The credentials, the CA and certificate (clients trust that CA)
		// and the cluster's record stay with the data.
		if objs := c.ourObjects(t, ctx, ns); strings.Join(objs, ",") != "secret/mysql-ca,secret/mysql-credentials,secret/mysql-tls,configmap/mysql-state" {
			t.Errorf("after down want only the Secrets and the record left, got %v", objs)
		}
		// mysql-2's volume is there too where --keep-pvcs kept it above.
		want := 2
		if f.runsFlavourFreeSteps() {
			want = 3
		}
		if pvcs := c.pvcNames(t, ctx, ns); len(pvcs) != want {
			t.Errorf("after down want the %d volumes kept, got %v", want, pvcs)
		}
		c.mustSucceed(t, 10*time.Minute, append([]string{"up"}, flags...)...)
		if out := sql("mysql-0.mysql", "SELECT message FROM test.messages WHERE message='hello'"); strings.TrimSpace(out) != "hello" {
			t.Errorf("after down and up, hello is gone: %q", out)
		}
	})

	t.Run("down --purge leaves nothing", func(t *testing.T) {
		if !f.runsFlavourFreeSteps() {
			return
		}
		res := c.mustSucceed(t, 5*time.Minute, "down", "--purge", "--yes", "-n", ns)
		if objs := c.ourObjects(t, ctx, ns); len(objs) != 0 {
			t.Errorf("objects left after purge: %v\n%s", objs, res)
		}
		if pvcs := c.pvcNames(t, ctx, ns); len(pvcs) != 0 {
			t.Errorf("volumes left after purge: %v", pvcs)
		}
		again := c.mustSucceed(t, time.Minute, "down", "-n", ns)
		if !strings.Contains(again.stdout, "nothing to delete") {
			t.Errorf("down on nothing should say so:\n%s", again)
		}
	})
}

func (c *testCluster) secretValue(t *testing.T, ctx context.Context, ns, name, key string) string {
	t.Helper()
	s, err := c.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("read secret %s: %v", name, err)
	}
	if len(s.Data[key]) == 0 {
		t.Fatalf("secret %s has no %s", name, key)
	}
	return string(s.Data[key])
}

func (c *testCluster) podUID(t *testing.T, ctx context.Context, ns, name string) string {
	t.Helper()
	p, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get pod %s: %v", name, err)
	}
	return string(p.UID)
}

func (c *testCluster) podNames(t *testing.T, ctx context.Context, ns string) []string {
	t.Helper()
	list, err := c.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=mysql"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list.Items {
		names = append(names, p.Name)
	}
	return names
}

func (c *testCluster) pvcNames(t *testing.T, ctx context.Context, ns string) []string {
	t.Helper()
	list, err := c.client.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list.Items {
		names = append(names, p.Name)
	}
	return names
}

// ourObjects lists the Secrets, ConfigMaps, Services and StatefulSets in ns
// that mysqlctl manages, as kind/name.
func (c *testCluster) ourObjects(t *testing.T, ctx context.Context, ns string) []string {
	t.Helper()
	opts := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=mysqlctl"}
	var objs []string
	add := func(kind string, names []string, err error) {
		t.Helper()
		if err != nil { // an unreadable kind must not pass for an empty one
			t.Fatalf("list %ss in %s: %v", kind, ns, err)
		}
		for _, n := range names {
			objs = append(objs, kind+"/"+n)
		}
	}
	secrets, err := c.client.CoreV1().Secrets(ns).List(ctx, opts)
	add("secret", namesOf(secrets, err), err)
	cms, err := c.client.CoreV1().ConfigMaps(ns).List(ctx, opts)
	add("configmap", namesOf(cms, err), err)
	svcs, err := c.client.CoreV1().Services(ns).List(ctx, opts)
	add("service", namesOf(svcs, err), err)
	stss, err := c.client.AppsV1().StatefulSets(ns).List(ctx, opts)
	add("statefulset", namesOf(stss, err), err)
	return objs
}

// namesOf lists the names in a typed List result (nil when err is set).
func namesOf(list runtime.Object, err error) []string {
	if err != nil {
		return nil
	}
	items, lerr := meta.ExtractList(list)
	if lerr != nil {
		return []string{"<" + lerr.Error() + ">"}
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		if o, ok := item.(metav1.Object); ok {
			names = append(names, o.GetName())
		}
	}
	return names
}
