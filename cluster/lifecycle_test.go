package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// lifecycle is a Cluster over a fake clientset whose WaitReady plays the
// StatefulSet controller: it removes the pods above the wanted count and,
// when the StatefulSet says so, their volumes; deleting the StatefulSet
// removes its pods, as the garbage collector would.
type lifecycle struct {
	t       *testing.T
	cs      *fake.Clientset
	c       *Cluster
	waits   []int32
	changed []string
}

func newLifecycle(t *testing.T, objs ...runtime.Object) *lifecycle {
	t.Helper()
	objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS}}, testNode(),
		&storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "standard",
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}}})
	l := &lifecycle{t: t, cs: fake.NewClientset(objs...)}
	l.c = New(kube.NewClientFromInterface(l.cs, testNS), "mysql", Options{})
	l.c.newCredentials = func() (map[string][]byte, error) {
		return map[string][]byte{manifest.SecretKeyAdminPassword: []byte(testPassword)}, nil
	}
	l.c.changes = func(line string) { l.changed = append(l.changed, line) }
	l.c.waitStatefulSet = l.controller
	l.cs.PrependReactor("delete", "statefulsets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if p := a.(k8stesting.DeleteAction).GetDeleteOptions().PropagationPolicy; p == nil || *p != metav1.DeletePropagationOrphan {
			l.removePods(0) // the garbage collector; orphaning keeps them
		}
		return false, nil, nil
	})
	return l
}

func (l *lifecycle) controller(ctx context.Context, name string, want int32, _ func(kube.PodProgress)) error {
	l.waits = append(l.waits, want)
	sts, err := l.cs.AppsV1().StatefulSets(testNS).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	l.removePods(int(want))
	if p := sts.Spec.PersistentVolumeClaimRetentionPolicy; p != nil && p.WhenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
		l.removeVolumes(int(want))
	}
	return nil
}

func (l *lifecycle) removePods(from int) {
	for i := from; i < 10; i++ {
		_ = l.cs.Tracker().Delete(schema.GroupVersionResource{Version: "v1", Resource: "pods"}, testNS, manifest.PodName("mysql", i))
	}
}

func (l *lifecycle) removeVolumes(from int) {
	for i := from; i < 10; i++ {
		_ = l.cs.Tracker().Delete(schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}, testNS, manifest.PVCName("mysql", i))
	}
}

func (l *lifecycle) replicas() int32 {
	l.t.Helper()
	sts, err := l.cs.AppsV1().StatefulSets(testNS).Get(context.Background(), "mysql", metav1.GetOptions{})
	if err != nil {
		l.t.Fatal(err)
	}
	return *sts.Spec.Replicas
}

func (l *lifecycle) exists(get func() error) bool {
	err := get()
	if err != nil && !apierrors.IsNotFound(err) {
		l.t.Fatal(err)
	}
	return err == nil
}

// addServers adds the volumes and pods of ordinals 0..n-1, as the
// StatefulSet controller and the provisioner would after up.
func (l *lifecycle) addServers(n int) {
	l.t.Helper()
	for i := 0; i < n; i++ {
		for _, obj := range []runtime.Object{&corev1.PersistentVolumeClaim{ObjectMeta: meta(manifest.PVCName("mysql", i))}, testPod(i, true)} {
			if err := l.cs.Tracker().Add(obj); err != nil {
				l.t.Fatal(err)
			}
		}
	}
}

// testNode is a Ready node with room for a handful of servers.
func testNode() *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
		Status: corev1.NodeStatus{
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("8Gi")},
			// what the node's runtime holds: the locally imported test image
			Images: []corev1.ContainerImage{{Names: []string{"localhost/mariadb:10.11.19"}}},
		},
	}
}

func TestUpCreatesEveryObjectAndWaits(t *testing.T) {
	l := newLifecycle(t)
	if err := l.c.Up(context.Background(), manifest.DefaultSpec(), UpOptions{}); err != nil {
		t.Fatal(err)
	}
	// The record first: it names the primary before any pod starts.
	want := []string{"configmap/mysql-state created", "secret/mysql-ca created", "secret/mysql-tls created",
		"secret/mysql-credentials created", "configmap/mysql-config created",
		"service/mysql created", "service/mysql-read created", "service/mysql-primary created", "statefulset/mysql created",
		"poddisruptionbudget/mysql created", "poddisruptionbudget/mysql-primary created", "configmap/mysql-state configured"}
	if !slices.Equal(l.changed, want) {
		t.Errorf("changes %q, want %q", l.changed, want)
	}
	if !slices.Equal(l.waits, []int32{manifest.DefaultReplicas}) || l.replicas() != manifest.DefaultReplicas {
		t.Errorf("waited for %v, statefulset has %d replicas; want %d", l.waits, l.replicas(), manifest.DefaultReplicas)
	}
	l.changed = nil
	if err := l.c.Up(context.Background(), manifest.DefaultSpec(), UpOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range l.changed {
		if !strings.HasSuffix(line, " unchanged") {
			t.Errorf("second up changed something: %q", line)
		}
	}
}

// A plain up keeps the live replica count; an explicit one changes it.
func TestUpKeepsTheLiveReplicaCountUnlessGiven(t *testing.T) {
	l := newLifecycle(t)
	spec := manifest.DefaultSpec()
	spec.Replicas = 5
	if err := l.c.Up(context.Background(), spec, UpOptions{Given: manifest.Given{manifest.KeyReplicas: true}}); err != nil {
		t.Fatal(err)
	}
	if err := l.c.Up(context.Background(), manifest.DefaultSpec(), UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := l.replicas(); got != 5 {
		t.Errorf("plain up after 5 servers: %d replicas, want 5", got)
	}
	spec.Replicas = 2
	if err := l.c.Up(context.Background(), spec, UpOptions{Given: manifest.Given{manifest.KeyReplicas: true}}); err != nil {
		t.Fatal(err)
	}
	if got := l.replicas(); got != 2 {
		t.Errorf("up --replicas 2: %d replicas, want 2", got)
	}
}

func TestScale(t *testing.T) {
	for _, tc := range []struct {
		name        string
		to          int32
		keep        bool
		wantVolumes int
	}{
		{"up 3 to 5", 5, false, 3}, // the fake has no provisioner
		{"down 5 to 2 deletes volumes", 2, false, 2},
		{"down 5 to 2 keeps volumes", 2, true, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := manifest.DefaultSpec()
			spec.Replicas = 5
			if tc.to == 5 {
				spec.Replicas = 3
			}
			l := newLifecycle(t)
			if err := l.c.Up(context.Background(), spec, UpOptions{Given: manifest.Given{manifest.KeyReplicas: true}}); err != nil {
				t.Fatal(err)
			}
			l.addServers(int(spec.Replicas))
			l.changed = nil
			if err := l.c.Scale(context.Background(), ScaleOptions{Replicas: tc.to, KeepPVCs: tc.keep}); err != nil {
				t.Fatal(err)
			}
			if l.replicas() != tc.to {
				t.Errorf("statefulset has %d replicas, want %d", l.replicas(), tc.to)
			}
			pvcs, err := l.cs.CoreV1().PersistentVolumeClaims(testNS).List(context.Background(), metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(pvcs.Items) != tc.wantVolumes {
				t.Errorf("%d volumes left, want %d", len(pvcs.Items), tc.wantVolumes)
			}
			if !strings.Contains(l.changed[0], fmt.Sprintf("scaled from %d to %d", spec.Replicas, tc.to)) {
				t.Errorf("changes %q, want the scale first", l.changed)
			}
			// One replica at a time of the replicas there now are.
			pdb, err := l.cs.PolicyV1().PodDisruptionBudgets(testNS).Get(context.Background(), manifest.DisruptionBudgetName("mysql"), metav1.GetOptions{})
			if err != nil || pdb.Spec.MinAvailable.IntValue() != int(tc.to)-2 {
				t.Errorf("the replicas' disruption budget after the scale: %v (%v), want minAvailable %d", pdb.Spec.MinAvailable, err, tc.to-2)
			}
		})
	}
}

// A semi-sync cluster keeps a replica: scale to one server is refused
// before anything changes.
func TestScaleKeepsAReplicaForSemiSync(t *testing.T) {
	spec := manifest.DefaultSpec()
	spec.SemiSync = manifest.SemiSyncStrict
	l := newLifecycle(t)
	if err := l.c.Up(context.Background(), spec, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	l.addServers(3)
	err := l.c.Scale(context.Background(), ScaleOptions{Replicas: 1})
	if err == nil || !strings.Contains(err.Error(), "the cluster runs semiSync strict, which needs a replica") || l.replicas() != 3 {
		t.Errorf("scale of a strict semi-sync cluster to 1: %v, %d replicas; want refused, 3", err, l.replicas())
	}
	if err := l.c.Scale(context.Background(), ScaleOptions{Replicas: 2}); err != nil {
		t.Errorf("scale to 2: %v", err)
	}
}

func TestScaleRefusesWithoutACluster(t *testing.T) {
	l := newLifecycle(t)
	err := l.c.Scale(context.Background(), ScaleOptions{Replicas: 2})
	if err == nil || !strings.Contains(err.Error(), "mysqlctl up") {
		t.Errorf("scale of no cluster: %v, want a not-found error naming mysqlctl up", err)
	}
	if n := len(l.waits); n != 0 {
		t.Errorf("waited %d times for a cluster that does not exist", n)
	}
}

func TestDown(t *testing.T) {
	for _, purge := range []bool{false, true} {
		t.Run(fmt.Sprintf("purge=%v", purge), func(t *testing.T) {
			l := newLifecycle(t)
			ctx := context.Background()
			if err := l.c.Up(ctx, manifest.DefaultSpec(), UpOptions{}); err != nil {
				t.Fatal(err)
			}
			l.addServers(3)
			l.cs.ClearActions()
			found, err := l.c.Down(ctx, DownOptions{Purge: purge})
			if err != nil || !found {
				t.Fatalf("down: found %v, err %v", found, err)
			}
			secret := l.exists(func() error {
				_, err := l.cs.CoreV1().Secrets(testNS).Get(ctx, manifest.SecretName("mysql"), metav1.GetOptions{})
				return err
			})
			pvcs, _ := l.cs.CoreV1().PersistentVolumeClaims(testNS).List(ctx, metav1.ListOptions{})
			state := l.exists(func() error {
				_, err := l.cs.CoreV1().ConfigMaps(testNS).Get(ctx, manifest.StateConfigMapName("mysql"), metav1.GetOptions{})
				return err
			})
			if secret == purge || state == purge || (len(pvcs.Items) == 0) != purge {
				t.Errorf("after down (purge %v): secret kept %v, record kept %v, %d volumes kept", purge, secret, state, len(pvcs.Items))
			}
			if l.exists(func() error {
				_, err := l.cs.AppsV1().StatefulSets(testNS).Get(ctx, "mysql", metav1.GetOptions{})
				return err
			}) {
				t.Error("statefulset still there after down")
			}
			if purge {
				assertSecretDeletedLast(t, l.cs.Actions())
			}
			found, err = l.c.Down(ctx, DownOptions{Purge: purge})
			if err != nil || found {
				t.Errorf("second down: found %v, err %v; want nothing found, no error", found, err)
			}
		})
	}
}

// assertSecretDeletedLast: the passwords go only after every volume.
func assertSecretDeletedLast(t *testing.T, actions []k8stesting.Action) {
	t.Helper()
	var order []string
	for _, a := range actions {
		if a.GetVerb() == "delete" {
			order = append(order, a.GetResource().Resource)
		}
	}
	if len(order) == 0 || order[len(order)-1] != "secrets" || !slices.Contains(order, "persistentvolumeclaims") {
		t.Errorf("deletions in order %v, want the volumes deleted and the secret last", order)
	}
}
