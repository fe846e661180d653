package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

func TestDescribeProgress(t *testing.T) {
	cases := []struct {
		in   kube.PodProgress
		want string
	}{
		{kube.PodProgress{Pod: "mysql-2", Stage: kube.StageInitializing, InitContainer: manifest.ContainerClone}, "mysql-2: cloning data from a peer, or waiting for one"},
		{kube.PodProgress{Pod: "mysql-1", Stage: kube.StageInitializing, InitContainer: manifest.ContainerInitConfig}, "mysql-1: configuring server identity"},
		{kube.PodProgress{Pod: "mysql-1", Stage: kube.StagePending, Reason: "Unschedulable",
			Message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"}, "mysql-1: waiting for its volume"},
	}
	for _, tc := range cases {
		if got := describeProgress(tc.in); got != tc.want {
			t.Errorf("describeProgress(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	other := kube.PodProgress{Pod: "mysql-1", Stage: kube.StagePending, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu."}
	if got := describeProgress(other); got != other.String() {
		t.Errorf("a real scheduling problem must keep kube's wording, got %q", got)
	}
}

func TestUpWritesNothingBesideAForeignObject(t *testing.T) {
	ctx := context.Background()
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mysql-config", Namespace: "db"}}
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "db"}}, foreign, testNode())
	c := New(kube.NewClientFromInterface(cs, "db"), "mysql", Options{})
	err := c.Up(ctx, manifest.DefaultSpec(), UpOptions{})
	if !errors.Is(err, kube.ErrNotManaged) || !strings.Contains(err.Error(), "configmap/mysql-config") {
		t.Fatalf("Up beside a foreign ConfigMap: want ErrNotManaged naming it, got %v", err)
	}
	if _, err := cs.CoreV1().Secrets("db").Get(ctx, manifest.SecretName("mysql"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Up created the Secret before refusing (err %v)", err)
	}
	if _, err := cs.AppsV1().StatefulSets("db").Get(ctx, "mysql", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Up created the StatefulSet before refusing (err %v)", err)
	}
}

// A foreign StatefulSet of the same name says nothing of what runs: up
// refuses it as someone else's, before reading it as a live spec.
func TestUpRefusesAForeignStatefulSet(t *testing.T) {
	foreign := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "mysql", Namespace: "db"}}
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "db"}}, foreign, testNode())
	err := New(kube.NewClientFromInterface(cs, "db"), "mysql", Options{}).Up(context.Background(), manifest.DefaultSpec(), UpOptions{})
	if !errors.Is(err, kube.ErrNotManaged) {
		t.Fatalf("Up beside a foreign StatefulSet: want ErrNotManaged, got %v", err)
	}
}

// When up's wait ends on a primary that refuses its empty volume, the
// error names the server holding the most data.
func TestUpNamesTheServerWithTheDataWhenThePrimaryRefuses(t *testing.T) {
	servers := map[string]*fakeServer{
		"mysql-0": {openErr: errors.New("connection refused")},
		"mysql-1": {reports: []*sql.InstanceReport{mariadbReplica(1, "0-100-42")}},
		"mysql-2": {reports: []*sql.InstanceReport{mariadbReplica(2, "0-100-40")}},
	}
	c := newTestCluster(t, append(clusterObjects(3), testNode(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS}}), servers)
	c.newCredentials = func() (map[string][]byte, error) { return nil, nil }
	c.waitStatefulSet = func(context.Context, string, int32, func(kube.PodProgress)) error {
		return &kube.PodError{Pod: "mysql-0", Container: manifest.ContainerClone, Reason: "CrashLoopBackOff"}
	}
	err := c.Up(context.Background(), manifest.Spec{Name: "mysql", Replicas: 3, Flavor: manifest.FlavorMariaDB}.WithDefaults(), UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "mysql-1 holds the most transactions") || !errors.Is(err, kube.ErrPodFailed) {
		t.Errorf("up with a refusing primary: %v", err)
	}
}

// The steps are chosen once from the plan: a restore applies the primary
// alone and streams the backup into it before any replica exists, and a
// running cluster with its primary recorded does not write the record again.
func TestUpStepsFollowThePlan(t *testing.T) {
	names := func(run *upRun) string {
		var out []string
		for _, s := range run.steps() {
			out = append(out, s.name)
		}
		return strings.Join(out, ", ")
	}
	fresh := &upRun{plan: plan{primary: "mysql-0"}}
	if got, want := names(fresh), "namespace, refuse foreign objects, record the primary, TLS, hold the rollout below the primary, apply, heal the rollout, roll the primary last, wait, mark initialised, reload the certificate, trust the current CA alone, metrics"; got != want {
		t.Errorf("a new cluster's steps:\n got %s\nwant %s", got, want)
	}
	running := &upRun{plan: plan{primary: "mysql-1", primaryRecorded: true, growVolumes: true}}
	if got, want := names(running), "namespace, refuse foreign objects, grow volumes, re-create the StatefulSet, TLS, hold the rollout below the primary, apply, heal the rollout, roll the primary last, wait, mark initialised, reload the certificate, trust the current CA alone, metrics"; got != want {
		t.Errorf("a running cluster's steps with larger volumes:\n got %s\nwant %s", got, want)
	}
	restore := &upRun{plan: plan{primary: "mysql-0"}, restore: &RestoreOptions{}}
	if got, want := names(restore), "namespace, refuse foreign objects, record the primary, TLS, apply the primary alone, restore the backup, apply, wait, mark initialised, metrics"; got != want {
		t.Errorf("a restore's steps:\n got %s\nwant %s", got, want)
	}
}
