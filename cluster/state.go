package cluster

import (
	"context"
	"time"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/mysqlctl/mysqlctl/kube"
)

// The cluster's own record, which the pods read at every start: a
// ConfigMap that outlives `down` and goes with the data on `down --purge`.
const (
	// ComponentState labels the record.
	ComponentState = "state"
	// StateKeyInitialized holds when the cluster was first ready. From then
	// on its servers hold data, and a primary that starts on an empty
	// volume has lost it: its clone container refuses to initialise a new,
	// empty, writable primary (configs/scripts/clone.sh).
	StateKeyInitialized = "initialized"
	// MountClusterState is where the pods see the record: CLUSTER_STATE_DIR.
	MountClusterState  = "/mnt/mysqlctl-cluster"
	volumeClusterState = "cluster-state"
)

// StateConfigMapName is the name of the cluster's record.
func StateConfigMapName(name string) string { return name + "-state" }

// recordInitialized writes the record once the cluster was ready, unless
// it is there already: the first time is the one that counts.
func (c *Cluster) recordInitialized(ctx context.Context) error {
	ok, err := c.Kube.Exists(ctx, kube.KindConfigMap, StateConfigMapName(c.Name))
	if err != nil || ok {
		return err
	}
	cm := corev1ac.ConfigMap(StateConfigMapName(c.Name), c.Namespace()).
		WithLabels(Labels(c.Name, ComponentState)).
		WithData(map[string]string{StateKeyInitialized: c.Now().UTC().Format(time.RFC3339)})
	result, err := c.Kube.Apply(ctx, cm)
	if err != nil {
		return err
	}
	c.changed(result.String())
	return nil
}

// clusterStateVolume mounts the record; optional, since a new cluster has
// none until its first up succeeds.
func clusterStateVolume(name string) *corev1ac.VolumeApplyConfiguration {
	return corev1ac.Volume().WithName(volumeClusterState).WithConfigMap(corev1ac.ConfigMapVolumeSource().
		WithName(StateConfigMapName(name)).WithOptional(true).WithDefaultMode(0o444))
}
