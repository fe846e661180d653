package manifest

import (
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// The pods read the cluster's record (state.go) from a ConfigMap volume.
const (
	// mountClusterState is where the pods see the record: CLUSTER_STATE_DIR.
	mountClusterState  = "/mnt/mysqlctl-cluster"
	volumeClusterState = "cluster-state"
)

// StateConfigMapName is the name of the cluster's record.
func StateConfigMapName(name string) string { return name + "-state" }

// clusterStateVolume mounts the record; optional, so that pods of a
// cluster made before the record still start (as ordinal 0's cluster).
func clusterStateVolume(name string) *corev1ac.VolumeApplyConfiguration {
	return corev1ac.Volume().WithName(volumeClusterState).WithConfigMap(corev1ac.ConfigMapVolumeSource().
		WithName(StateConfigMapName(name)).WithOptional(true).WithDefaultMode(0o444))
}
