package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// The cluster's own record, which the pods read at every start: a
// ConfigMap that outlives `down` and goes with the data on `down --purge`.
const (
	// ComponentState labels the record.
	ComponentState = "state"
	// stateKeyInitialized holds when the cluster was first ready. From then
	// on its servers hold data, and a primary that starts on an empty
	// volume has lost it: its clone container refuses to initialise a new,
	// empty, writable primary (configs/scripts/clone.sh).
	stateKeyInitialized = "initialized"
	// StateKeyPrimary names the pod that takes writes. up records ordinal 0
	// on a new cluster; switchover and promote move it. Every pod decides
	// its role from it at each start (configs/scripts/lib.sh:
	// recorded_primary), and the write Service selects it.
	StateKeyPrimary = "primary"
)

// record is the cluster's record as one command read it. Every write is
// conditional on the version it was read at, never forced: of two commands
// that read the same record, the second to write gets ErrRecordChanged and
// writes nothing.
type record struct {
	data map[string]string
	// cm is the ConfigMap as read or last written; nil when it does not exist.
	cm *corev1.ConfigMap
}

// exists: the record is there (a missing one has no keys at all).
func (r *record) exists() bool { return r.cm != nil }

// ErrRecordChanged: the record was written by someone else between this
// command's read and its write.
var ErrRecordChanged = errors.New("the cluster's record changed while this command ran (another mysqlctl at work?)")

// loadRecord reads the record; an absent one has no keys.
func (c *Cluster) loadRecord(ctx context.Context) (*record, error) {
	cm, err := c.api.GetConfigMap(ctx, manifest.StateConfigMapName(c.name))
	if err != nil {
		return nil, err
	}
	if cm == nil {
		return &record{data: map[string]string{}}, nil
	}
	if err := kube.CheckManaged(kube.KindConfigMap, cm, "delete it or choose another --name"); err != nil {
		return nil, err
	}
	data := maps.Clone(cm.Data)
	if data == nil {
		data = map[string]string{}
	}
	return &record{data: data, cm: cm}, nil
}

// readState returns the record's keys; an absent record has none.
func (c *Cluster) readState(ctx context.Context) (map[string]string, error) {
	rec, err := c.loadRecord(ctx)
	if err != nil {
		return nil, err
	}
	return rec.data, nil
}

// save writes the record with set's keys set and drop's removed, over the
// version it was read at, and keeps what it wrote for the next save.
func (c *Cluster) save(ctx context.Context, rec *record, set map[string]string, drop ...string) error {
	data := maps.Clone(rec.data)
	maps.Copy(data, set)
	for _, k := range drop {
		delete(data, k)
	}
	cm := rec.cm
	if cm == nil {
		cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: manifest.StateConfigMapName(c.name), Labels: manifest.Labels(c.name, ComponentState)}}
	}
	cm = cm.DeepCopy()
	cm.Data = data
	written, result, err := c.api.ReplaceConfigMap(ctx, cm, !rec.exists())
	if kube.IsLostRace(err) {
		return fmt.Errorf("%w: nothing was written; run mysqlctl status, then the command again", ErrRecordChanged)
	}
	if err != nil {
		return fmt.Errorf("write the record of cluster %s: %w", c.name, err)
	}
	rec.data, rec.cm = data, written
	c.changed(result.String())
	return nil
}

// writeState sets keys of the record, keeping the others.
func (c *Cluster) writeState(ctx context.Context, keys map[string]string) error {
	rec, err := c.loadRecord(ctx)
	if err != nil {
		return err
	}
	return c.save(ctx, rec, keys)
}

// dropStateKey removes key from the record.
func (c *Cluster) dropStateKey(ctx context.Context, key string) error {
	rec, err := c.loadRecord(ctx)
	if err != nil {
		return err
	}
	if _, ok := rec.data[key]; !ok {
		return nil
	}
	return c.save(ctx, rec, nil, key)
}

// recordInitialized writes when the cluster was first ready, unless the
// record has it: the first time is the one that counts.
func (c *Cluster) recordInitialized(ctx context.Context) error {
	data, err := c.readState(ctx)
	if err != nil || data[stateKeyInitialized] != "" {
		return err
	}
	return c.writeState(ctx, map[string]string{stateKeyInitialized: c.now().UTC().Format(time.RFC3339)})
}
