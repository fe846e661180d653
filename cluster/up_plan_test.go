package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

// mariadbLifecycle is a running MariaDB cluster of 3 servers with its
// volumes, made by up with a custom image.
func mariadbLifecycle(t *testing.T) (*lifecycle, manifest.Spec) {
	t.Helper()
	l := newLifecycle(t)
	spec := manifest.Spec{Name: "mysql", Replicas: 3, Flavor: manifest.FlavorMariaDB, Image: "localhost/mariadb:10.11.19"}.WithDefaults()
	given := manifest.Given{manifest.KeyFlavor: true, manifest.KeyImage: true}
	if err := l.c.Up(context.Background(), spec, UpOptions{Given: given}); err != nil {
		t.Fatal(err)
	}
	l.addServers(3)
	return l, spec
}

// resourceVersions of every object up writes, to prove a refusal wrote nothing.
func (l *lifecycle) resourceVersions() map[string]string {
	l.t.Helper()
	out := map[string]string{}
	for _, r := range []struct{ res, name string }{
		{"secrets", manifest.SecretName("mysql")}, {"configmaps", manifest.ConfigMapName("mysql")},
		{"services", "mysql"}, {"services", "mysql-read"},
	} {
		obj, err := l.cs.Tracker().Get(schema.GroupVersionResource{Version: "v1", Resource: r.res}, testNS, r.name)
		if err == nil {
			out[r.res+"/"+r.name] = obj.(metav1.Object).GetResourceVersion()
		}
	}
	sts, err := l.cs.AppsV1().StatefulSets(testNS).Get(context.Background(), "mysql", metav1.GetOptions{})
	if err == nil {
		out["statefulset"] = sts.ResourceVersion
	}
	return out
}

// A plain up keeps what runs: no other flavour, image or size sneaks in
// from the defaults.
func TestPlainUpKeepsWhatRuns(t *testing.T) {
	l, _ := mariadbLifecycle(t)
	l.changed = nil
	if err := l.c.Up(context.Background(), manifest.DefaultSpec(), UpOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range l.changed {
		if !strings.HasSuffix(line, " unchanged") {
			t.Errorf("plain up on a MariaDB cluster changed something: %q", line)
		}
	}
	sts, err := l.cs.AppsV1().StatefulSets(testNS).Get(context.Background(), "mysql", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := sts.Spec.Template.Spec.Containers[0].Image; img != "localhost/mariadb:10.11.19" {
		t.Errorf("server image %q after a plain up", img)
	}
}

func TestUpRefusesWhatWouldHarmTheData(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  func(*manifest.Spec)
		given []manifest.SpecKey
		want  string
	}{
		{"another flavour", func(s *manifest.Spec) { s.Flavor, s.Version, s.Image = manifest.FlavorMySQL, "8.4", "mysql:8.4" }, []manifest.SpecKey{manifest.KeyFlavor}, "runs mariadb"},
		{"another storage class", func(s *manifest.Spec) { s.StorageClass = "fast" }, []manifest.SpecKey{manifest.KeyStorageClass}, "cannot move"},
		{"smaller volumes", func(s *manifest.Spec) { s.StorageSize = "5Gi" }, []manifest.SpecKey{manifest.KeyStorage}, "cannot shrink"},
		{"larger volumes of a class that cannot grow", func(s *manifest.Spec) { s.StorageSize = "20Gi" }, []manifest.SpecKey{manifest.KeyStorage}, "does not allow expansion"},
		{"too many servers", func(s *manifest.Spec) { s.Replicas = 100000 }, []manifest.SpecKey{manifest.KeyReplicas}, "32 servers"},
		{"more than the node holds", func(s *manifest.Spec) { s.Replicas = 30; s.CPURequest = "1" }, []manifest.SpecKey{manifest.KeyReplicas, manifest.KeyCPU}, "schedulable node"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, base := mariadbLifecycle(t)
			before := l.resourceVersions()
			spec := base
			tc.spec(&spec)
			given := manifest.Given{}
			for _, k := range tc.given {
				given[k] = true
			}
			err := l.c.Up(context.Background(), spec, UpOptions{Given: given})
			var invalid *manifest.InvalidSpecError
			if !errors.As(err, &invalid) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line refusing with %q", err, tc.want)
			}
			after := l.resourceVersions()
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s changed (resourceVersion %s -> %s) by a refused up", k, v, after[k])
				}
			}
		})
	}
}

func TestUpRefusesADowngradeAndAllowsAnUpgrade(t *testing.T) {
	l := newLifecycle(t)
	spec := manifest.Spec{Name: "mysql", Replicas: 3, Flavor: manifest.FlavorMariaDB, Version: "11.4"}.WithDefaults()
	if err := l.c.Up(context.Background(), spec, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	servers := healthyServers(3)
	l.withServers(servers)
	l.addServers(3)
	older := manifest.Spec{Name: "mysql", Replicas: 3, Flavor: manifest.FlavorMariaDB, Version: "10.11"}.WithDefaults()
	err := l.c.Up(context.Background(), older, UpOptions{Given: manifest.Given{manifest.KeyVersion: true}})
	if err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("downgrade 11.4 -> 10.11: %v, want a refusal", err)
	}
	l.c.newCredentials = nil
	newer := manifest.Spec{Name: "mysql", Replicas: 3, Flavor: manifest.FlavorMariaDB, Version: "11.8"}.WithDefaults()
	given := UpOptions{Given: manifest.Given{manifest.KeyVersion: true}}

	// A replica whose applier stopped: the upgrade waits for a healthy cluster.
	servers["mysql-2"].reports[0].Replica.SQLThread = "No"
	before := l.resourceVersions()
	err = l.c.Up(context.Background(), newer, given)
	if err == nil || !strings.Contains(err.Error(), "not healthy enough to upgrade from 11.4 to 11.8") || !strings.Contains(err.Error(), "mysql-2") {
		t.Fatalf("upgrade with a stopped replica: %v, want a refusal naming mysql-2", err)
	}
	for k, v := range before {
		if l.resourceVersions()[k] != v {
			t.Errorf("%s changed by the refused upgrade", k)
		}
	}

	servers["mysql-2"].reports[0].Replica.SQLThread = "Yes"
	if err := l.c.Up(context.Background(), newer, given); err != nil {
		t.Fatalf("upgrade 11.4 -> 11.8: %v", err)
	}
	sts, _ := l.cs.AppsV1().StatefulSets(testNS).Get(context.Background(), "mysql", metav1.GetOptions{})
	if img := sts.Spec.Template.Spec.Containers[0].Image; img != "mariadb:11.8" || sts.Annotations[manifest.AnnotationVersion] != "11.8" {
		t.Errorf("after the upgrade: image %q, recorded version %q", img, sts.Annotations[manifest.AnnotationVersion])
	}
}

// withServers answers for the cluster's servers with fakes.
func (l *lifecycle) withServers(servers map[string]*fakeServer) {
	l.t.Helper()
	fake := newTestClusterOn(l.t, l.cs, servers)
	l.c.forward, l.c.open = fake.forward, fake.open
}

// New passwords for old data would lock the servers out: up refuses to
// re-create a deleted Secret while the volumes exist.
func TestUpRefusesNewCredentialsForOldVolumes(t *testing.T) {
	l, spec := mariadbLifecycle(t)
	if err := l.cs.CoreV1().Secrets(testNS).Delete(context.Background(), manifest.SecretName("mysql"), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	before := l.resourceVersions()
	err := l.c.Up(context.Background(), spec, UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "restore the Secret") || !strings.Contains(err.Error(), "down --purge") {
		t.Fatalf("up without the Secret: %v, want a refusal naming both ways out", err)
	}
	if after := l.resourceVersions(); len(after) != len(before) || after["statefulset"] != before["statefulset"] {
		t.Errorf("refused up wrote: before %v after %v", before, after)
	}
}

// A deleted record while the volumes hold data: up will not record ordinal
// 0 (maybe a fenced replica) as the primary; it refuses and names the way
// back, and writes nothing.
func TestUpRefusesToGuessAMissingRecord(t *testing.T) {
	l, spec := mariadbLifecycle(t)
	if err := l.cs.CoreV1().ConfigMaps(testNS).Delete(context.Background(), manifest.StateConfigMapName("mysql"), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	before := l.resourceVersions()
	err := l.c.Up(context.Background(), spec, UpOptions{})
	var invalid *manifest.InvalidSpecError
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "promote POD --adopt") {
		t.Fatalf("up without the record: %v, want a refusal naming promote --adopt", err)
	}
	if _, gerr := l.cs.CoreV1().ConfigMaps(testNS).Get(context.Background(), manifest.StateConfigMapName("mysql"), metav1.GetOptions{}); gerr == nil {
		t.Error("the refused up re-created the record")
	}
	if after := l.resourceVersions(); len(after) != len(before) || after["statefulset"] != before["statefulset"] {
		t.Errorf("refused up wrote: before %v after %v", before, after)
	}
}

// Larger volumes of a class that can grow: every claim asks for the new
// size and the StatefulSet is re-created around its running pods.
func TestUpGrowsTheVolumes(t *testing.T) {
	l, spec := mariadbLifecycle(t)
	ctx := context.Background()
	sc, err := l.cs.StorageV1().StorageClasses().Get(ctx, "standard", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc.AllowVolumeExpansion = ptr.To(true)
	if _, err := l.cs.StorageV1().StorageClasses().Update(ctx, sc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod0, _ := l.cs.CoreV1().Pods(testNS).Get(ctx, "mysql-0", metav1.GetOptions{})
	l.changed = nil
	spec.StorageSize = "20Gi"
	if err := l.c.Up(ctx, spec, UpOptions{Given: manifest.Given{manifest.KeyStorage: true}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"data-mysql-0", "data-mysql-1", "data-mysql-2"} {
		pvc, err := l.cs.CoreV1().PersistentVolumeClaims(testNS).Get(ctx, name, metav1.GetOptions{})
		if err != nil || pvc.Spec.Resources.Requests.Storage().String() != "20Gi" {
			t.Errorf("%s: %v, requests %v; want 20Gi", name, err, pvc.Spec.Resources.Requests)
		}
	}
	sts, err := l.cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil || len(sts.Spec.VolumeClaimTemplates) == 0 || sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String() != "20Gi" {
		t.Errorf("statefulset volume template after the resize: %v", err)
	}
	if after, err := l.cs.CoreV1().Pods(testNS).Get(ctx, "mysql-0", metav1.GetOptions{}); err != nil || after.UID != pod0.UID {
		t.Errorf("the primary's pod was replaced or deleted by the resize (err %v)", err)
	}
	if !strings.Contains(strings.Join(l.changed, "|"), "persistentvolumeclaim/data-mysql-0 resized to 20Gi") {
		t.Errorf("changes %q", l.changed)
	}
}

// Images are resolved before anything is written: one only an import can
// provide and no node holds is refused; one a registry serves is pulled.
func TestUpChecksTheImages(t *testing.T) {
	l := newLifecycle(t)
	var progress []string
	l.c.progress = func(line string) { progress = append(progress, line) }
	missing := manifest.Spec{Name: "mysql", Replicas: 1, Flavor: manifest.FlavorMariaDB, Image: "localhost/no-such-image:0"}.WithDefaults()
	err := l.c.Up(context.Background(), missing, UpOptions{})
	var invalid *manifest.InvalidSpecError
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "localhost/no-such-image:0 is on no node") {
		t.Fatalf("up with a local image no node holds: %v", err)
	}
	if len(l.changed) != 0 {
		t.Errorf("a refused up wrote %q", l.changed)
	}
	pulled := manifest.Spec{Name: "mysql", Replicas: 1, Flavor: manifest.FlavorMariaDB}.WithDefaults()
	if err := l.c.Up(context.Background(), pulled, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(progress, "|"), "image mariadb:10.11 is on no node yet: the nodes will pull it from docker.io") {
		t.Errorf("progress %q: want the pull announced", progress)
	}
}

// A version given without a flavour takes the running cluster's flavour;
// on a new cluster the default flavour's versions apply.
func TestUpChecksAVersionAgainstTheRunningFlavour(t *testing.T) {
	l, _ := mariadbLifecycle(t)
	l.withServers(healthyServers(3))
	asked := manifest.Spec{Name: "mysql", Replicas: 3, Version: "11.8"}.WithDefaults() // the default flavour: mysql
	if err := l.c.Up(context.Background(), asked, UpOptions{Given: manifest.Given{manifest.KeyVersion: true}}); err != nil {
		t.Fatalf("up --version 11.8 on a MariaDB cluster: %v", err)
	}
	sts, _ := l.cs.AppsV1().StatefulSets(testNS).Get(context.Background(), "mysql", metav1.GetOptions{})
	if img := sts.Spec.Template.Spec.Containers[0].Image; img != "mariadb:11.8" {
		t.Errorf("after up --version 11.8: image %q, want mariadb:11.8", img)
	}

	fresh := newLifecycle(t)
	err := fresh.c.Up(context.Background(), asked, UpOptions{Given: manifest.Given{manifest.KeyVersion: true}})
	var invalid *manifest.InvalidSpecError
	if !errors.As(err, &invalid) || invalid.Field != "version" {
		t.Fatalf("a new cluster with --version 11.8 of the default flavour: %v, want a refusal of the version", err)
	}
	if len(fresh.changed) != 0 {
		t.Errorf("the refused up wrote %v", fresh.changed)
	}
}
