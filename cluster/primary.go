package cluster

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/mysqlctl/mysqlctl/kube"
)

// PrimaryServiceName is the Service that always reaches the recorded
// primary: the cluster's write endpoint.
func PrimaryServiceName(name string) string { return name + "-primary" }

// LabelPodName is the label the StatefulSet controller puts on each of its
// pods, with the pod's name: the write Service selects the primary by it,
// so it follows the pod through every re-creation with nothing of ours
// running.
const LabelPodName = appsv1.StatefulSetPodNameLabel

// buildPrimaryService selects pod primary of the cluster. It only routes to
// it while it is ready, and the readiness probe of a server that
// replicates from nobody passes only while it is writable.
func buildPrimaryService(name, ns, primary string) *corev1ac.ServiceApplyConfiguration {
	selector := SelectorLabels(name)
	selector[LabelPodName] = primary
	s := corev1ac.Service(PrimaryServiceName(name), ns).
		WithLabels(Labels(name, ComponentDatabase)).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(selector).
			WithPorts(servicePort(PortNameMySQL, PortMySQL)))
	if ns == "" {
		s.Namespace = nil
	}
	return s
}

// RecordedPrimary is the pod the cluster's record names as its primary:
// ordinal 0 when the record names none (a new cluster, or one made before
// the record held the primary).
func (c *Cluster) RecordedPrimary(ctx context.Context) (string, error) {
	state, err := c.readState(ctx)
	if err != nil {
		return "", err
	}
	if p := state[StateKeyPrimary]; p != "" {
		return p, nil
	}
	return PodName(c.Name, 0), nil
}

// recordPrimary moves the record and the write Service to pod, in that
// order: a pod re-created in between already takes the role the record
// names, and the Service follows within the same command.
func (c *Cluster) recordPrimary(ctx context.Context, pod string) error {
	if err := c.writeState(ctx, map[string]string{StateKeyPrimary: pod}); err != nil {
		return err
	}
	result, err := c.Kube.Apply(ctx, buildPrimaryService(c.Name, c.Namespace(), pod))
	if err != nil {
		return fmt.Errorf("point service %s at %s: %w", PrimaryServiceName(c.Name), pod, err)
	}
	c.changed(result.String())
	return nil
}

// checkKeepsPrimary refuses a replica count that would remove the recorded
// primary: the StatefulSet removes the highest ordinals first.
func checkKeepsPrimary(name, primary string, replicas int32) error {
	ordinal, ok := kube.Ordinal(primary)
	if !ok || PodName(name, ordinal) != primary || int32(ordinal) < replicas {
		return nil
	}
	return invalidSpec("replicas", "%d replicas would remove %s, the primary: move the primary first with mysqlctl switchover --to %s, then scale",
		replicas, primary, PodName(name, 0))
}

// memberOrdinal is the ordinal of pod when it is one of the cluster's
// replicas servers, else the one error every command gives for it.
func memberOrdinal(name, pod string, replicas int32) (int, error) {
	replicas = max(replicas, 1)
	ordinal, ok := kube.Ordinal(pod)
	if !ok || PodName(name, ordinal) != pod || int32(ordinal) >= replicas {
		return 0, invalidSpec("pod", "%s is not a server of cluster %s, whose pods are %s to %s: pass one of them",
			pod, name, PodName(name, 0), PodName(name, int(replicas)-1))
	}
	return ordinal, nil
}
