package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestVolumesGrow: up with a larger --storage, on a StorageClass that
// allows expansion, asks every claim for the new size and re-creates the
// StatefulSet (its volume template is immutable) around the running pods:
// no pod restarts, and the cluster stays healthy.
func TestVolumesGrow(t *testing.T) {
	c := requireCluster(t)
	binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	class := &storagev1.StorageClass{
		ObjectMeta:           metav1.ObjectMeta{GenerateName: "expandable-"},
		Provisioner:          "kubernetes.io/host-path",
		AllowVolumeExpansion: ptr.To(true),
		// As the default class (localkube's bootstrap.go says why).
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer),
	}
	class, err := c.client.StorageV1().StorageClasses().Create(ctx, class, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.client.StorageV1().StorageClasses().Delete(context.Background(), class.Name, metav1.DeleteOptions{})
	})
	ns := c.namespace(t, "grow")
	c.mustSucceed(t, 5*time.Minute, "up", "-n", ns, "--replicas", "2", "--flavor", "mariadb", "--image", c.mariadbImage,
		"--storage-class", class.Name, "--storage", "1Gi")
	before := map[string]string{"mysql-0": c.podUID(t, ctx, ns, "mysql-0"), "mysql-1": c.podUID(t, ctx, ns, "mysql-1")}

	res := c.mustSucceed(t, 5*time.Minute, "up", "-n", ns, "--storage", "2Gi")
	for _, want := range []string{"persistentvolumeclaim/data-mysql-0 resized to 2Gi", "persistentvolumeclaim/data-mysql-1 resized to 2Gi", "statefulset/mysql created"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("up --storage 2Gi should say %q:\n%s", want, res)
		}
	}
	for pod, uid := range before {
		if got := c.podUID(t, ctx, ns, pod); got != uid {
			t.Errorf("%s was replaced by the resize", pod)
		}
	}
	for _, name := range []string{"data-mysql-0", "data-mysql-1"} {
		pvc, err := c.client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || pvc.Spec.Resources.Requests.Storage().String() != "2Gi" {
			t.Errorf("%s asks for %v (err %v), want 2Gi", name, pvc.Spec.Resources.Requests, err)
		}
	}
	sts, err := c.client.AppsV1().StatefulSets(ns).Get(ctx, "mysql", metav1.GetOptions{})
	if err != nil || sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String() != "2Gi" {
		t.Errorf("the re-created statefulset's volume template: %v", err)
	}
	c.mustSucceed(t, time.Minute, "check", "-n", ns)
	smaller := c.mysqlctl(t, time.Minute, nil, "up", "-n", ns, "--storage", "1Gi")
	assertOneLineError(t, smaller, 2, "cannot shrink")
}
