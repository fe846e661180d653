package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// RecordedPrimary is the pod the cluster's record names as its primary; ""
// when the record is missing or names no pod of the cluster. Then no server
// makes itself writable (configs/scripts/lib.sh: recorded_primary), and
// mysqlctl promote POD --adopt records the one that is.
func (c *Cluster) RecordedPrimary(ctx context.Context) (string, error) {
	state, err := c.readState(ctx)
	if err != nil {
		return "", err
	}
	return c.validPrimary(state[StateKeyPrimary]), nil
}

// validPrimary is pod when it names a pod of the cluster, else "": the
// pods read the record the same way.
func (c *Cluster) validPrimary(pod string) string {
	ordinal, ok := kube.Ordinal(pod)
	if !ok || manifest.PodName(c.name, ordinal) != pod {
		return ""
	}
	return pod
}

// errNoRecordedPrimary is what a command that needs the primary says when
// the record names none.
func (c *Cluster) errNoRecordedPrimary() error {
	return fmt.Errorf("the cluster's record (ConfigMap %s) names no primary, so every server stays read-only: find the server that holds the writes with mysqlctl status, then record it with mysqlctl promote POD --adopt",
		manifest.StateConfigMapName(c.name))
}

// checkKeepsPrimary refuses a replica count that would remove the recorded
// primary: the StatefulSet removes the highest ordinals first.
func checkKeepsPrimary(name, primary string, replicas int32) error {
	ordinal, ok := kube.Ordinal(primary)
	if !ok || manifest.PodName(name, ordinal) != primary || int32(ordinal) < replicas {
		return nil
	}
	return manifest.InvalidSpec("replicas", "%d replicas would remove %s, the primary: move the primary first with mysqlctl switchover --to %s, then scale",
		replicas, primary, manifest.PodName(name, 0))
}

// memberOrdinal is the ordinal of pod when it is one of the cluster's
// replicas servers, else the one error every command gives for it.
func memberOrdinal(name, pod string, replicas int32) (int, error) {
	replicas = max(replicas, 1)
	ordinal, ok := kube.Ordinal(pod)
	if !ok || manifest.PodName(name, ordinal) != pod || int32(ordinal) >= replicas {
		return 0, manifest.InvalidSpec("pod", "%s is not a server of cluster %s, whose pods are %s to %s: pass one of them",
			pod, name, manifest.PodName(name, 0), manifest.PodName(name, int(replicas)-1))
	}
	return ordinal, nil
}
