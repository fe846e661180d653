package cluster

import (
	"context"
	"fmt"
	"maps"
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
	// StateKeyPrimary names the pod that takes writes. up records ordinal 0
	// on a new cluster; switchover and promote move it. Every pod decides
	// its role from it at each start (configs/scripts/lib.sh:
	// recorded_primary), and the write Service selects it.
	StateKeyPrimary = "primary"
	// MountClusterState is where the pods see the record: CLUSTER_STATE_DIR.
	MountClusterState  = "/mnt/mysqlctl-cluster"
	volumeClusterState = "cluster-state"
)

// StateConfigMapName is the name of the cluster's record.
func StateConfigMapName(name string) string { return name + "-state" }

// readState returns the record's keys; an absent record has none.
func (c *Cluster) readState(ctx context.Context) (map[string]string, error) {
	cm, err := c.Kube.GetConfigMap(ctx, StateConfigMapName(c.Name))
	if err != nil || cm == nil {
		return map[string]string{}, err
	}
	if err := kube.CheckManaged(kube.KindConfigMap, cm, "delete it or choose another --name"); err != nil {
		return nil, err
	}
	return maps.Clone(cm.Data), nil
}

// writeState sets keys of the record, keeping the others.
func (c *Cluster) writeState(ctx context.Context, keys map[string]string) error {
	data, err := c.readState(ctx)
	if err != nil {
		return err
	}
	maps.Copy(data, keys)
	if err := c.applyState(ctx, data); err != nil {
		return fmt.Errorf("record %v of cluster %s: %w", keys, c.Name, err)
	}
	return nil
}

// applyState applies the record's whole data: a server-side apply drops
// the keys its field manager set before and leaves out now.
func (c *Cluster) applyState(ctx context.Context, data map[string]string) error {
	cm := corev1ac.ConfigMap(StateConfigMapName(c.Name), c.Namespace()).
		WithLabels(Labels(c.Name, ComponentState)).
		WithData(data)
	result, err := c.Kube.Apply(ctx, cm)
	if err != nil {
		return err
	}
	c.changed(result.String())
	return nil
}

// dropStateKey removes key from the record.
func (c *Cluster) dropStateKey(ctx context.Context, key string) error {
	data, err := c.readState(ctx)
	if err != nil {
		return err
	}
	if _, ok := data[key]; !ok {
		return nil
	}
	delete(data, key)
	if err := c.applyState(ctx, data); err != nil {
		return fmt.Errorf("remove %s from the record of cluster %s: %w", key, c.Name, err)
	}
	return nil
}

// recordInitialized writes when the cluster was first ready, unless the
// record has it: the first time is the one that counts.
func (c *Cluster) recordInitialized(ctx context.Context) error {
	data, err := c.readState(ctx)
	if err != nil || data[StateKeyInitialized] != "" {
		return err
	}
	return c.writeState(ctx, map[string]string{StateKeyInitialized: c.Now().UTC().Format(time.RFC3339)})
}

// clusterStateVolume mounts the record; optional, so that pods of a
// cluster made before the record still start (as ordinal 0's cluster).
func clusterStateVolume(name string) *corev1ac.VolumeApplyConfiguration {
	return corev1ac.Volume().WithName(volumeClusterState).WithConfigMap(corev1ac.ConfigMapVolumeSource().
		WithName(StateConfigMapName(name)).WithOptional(true).WithDefaultMode(0o444))
}
