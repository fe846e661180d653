package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mysqlctl/mysqlctl/kube"
)

// Progress receives what a use case is doing, one human line at a time.
// cmd prints it on stderr; tests record it.
type Progress func(line string)

// Manager runs the use cases that change a cluster. Its seams are fields so
// tests can swap them.
type Manager struct {
	Kube     *kube.Client
	Progress Progress
	// NewCredentials makes the Secret's data the first time; NewCredentials
	// of this package when nil.
	NewCredentials func() (map[string][]byte, error)
}

// UpOptions are the choices of `mysqlctl up` beyond the spec.
type UpOptions struct {
	CreateNamespace bool
	// ReplicasSet says the replica count was given explicitly (flag, env or
	// file). When it was not and the cluster exists, up keeps the current
	// count, so a plain `up` after `scale` changes nothing.
	ReplicasSet bool
}

// Up applies the cluster's objects and waits until every server is ready.
// It is idempotent: objects already as specified are reported unchanged.
func (m *Manager) Up(ctx context.Context, spec Spec, opts UpOptions) ([]kube.Result, error) {
	ns, err := m.Kube.EnsureNamespace(ctx, spec.Namespace, opts.CreateNamespace)
	if err != nil {
		return nil, fmt.Errorf("up %s: %w", spec.Name, err)
	}
	if ns.Action == kube.Created {
		m.say(ns.String())
	}
	if !opts.ReplicasSet {
		if spec.Replicas, err = m.currentReplicas(ctx, spec); err != nil {
			return nil, fmt.Errorf("up %s: %w", spec.Name, err)
		}
	}
	objects, err := BuildObjects(spec)
	if err != nil {
		return nil, fmt.Errorf("up %s: %w", spec.Name, err)
	}
	// Nothing is written while any object of these names is someone else's.
	var all []kube.ApplyConfiguration
	for _, obj := range objects.InOrder() {
		all = append(all, obj)
	}
	if err := m.Kube.RefuseForeign(ctx, all...); err != nil {
		return nil, fmt.Errorf("up %s: %w", spec.Name, err)
	}
	results, err := m.apply(ctx, objects)
	if err != nil {
		return results, fmt.Errorf("up %s: %w", spec.Name, err)
	}
	if err := m.waitReady(ctx, spec.Name, spec.Replicas); err != nil {
		return results, fmt.Errorf("up %s: %w", spec.Name, err)
	}
	return results, nil
}

// currentReplicas is the running StatefulSet's replica count, or the spec's
// when there is none yet.
func (m *Manager) currentReplicas(ctx context.Context, spec Spec) (int32, error) {
	sts, err := m.Kube.Clientset.AppsV1().StatefulSets(m.Kube.Namespace).Get(ctx, StatefulSetName(spec.Name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return spec.Replicas, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read statefulset %s: %w", spec.Name, err)
	}
	if sts.Spec.Replicas == nil || *sts.Spec.Replicas < 1 {
		return spec.Replicas, nil
	}
	return *sts.Spec.Replicas, nil
}

// apply writes every object: the Secret only when absent (its passwords
// were used to initialise the servers), the rest with server-side apply.
func (m *Manager) apply(ctx context.Context, objects *Objects) ([]kube.Result, error) {
	newCredentials := m.NewCredentials
	if newCredentials == nil {
		newCredentials = NewCredentials
	}
	data, err := newCredentials()
	if err != nil {
		return nil, fmt.Errorf("generate credentials: %w", err)
	}
	var results []kube.Result
	secret, err := m.Kube.CreateSecretIfAbsent(ctx, objects.Secret.WithData(data))
	if err != nil {
		return nil, err
	}
	results = append(results, secret)
	m.say(secret.String())
	for _, obj := range objects.Applied() {
		result, err := m.Kube.Apply(ctx, obj)
		if err != nil {
			return results, err
		}
		results = append(results, result)
		m.say(result.String())
	}
	return results, nil
}

// waitReady waits for the StatefulSet's pods, printing each pod's progress.
func (m *Manager) waitReady(ctx context.Context, name string, replicas int32) error {
	m.say(fmt.Sprintf("waiting for %d server(s) to be ready", replicas))
	err := m.Kube.WaitStatefulSetReady(ctx, "", StatefulSetName(name), replicas, func(p kube.PodProgress) {
		m.say("  " + describeProgress(p))
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted while waiting for the servers: %w", err)
		}
		return err
	}
	return nil
}

// describeProgress words a pod's stage in the terms of this topology: the
// clone init container means a replica is copying a peer's data (ordinal 0,
// the primary, never clones), and a pod waiting for its new volume to be
// provisioned is not a scheduling problem.
func describeProgress(p kube.PodProgress) string {
	ordinal, _ := kube.Ordinal(p.Pod)
	switch {
	case p.Stage == kube.StageInitializing && p.InitContainer == ContainerClone && ordinal == 0:
		return p.Pod + ": primary: starting from its own data"
	case p.Stage == kube.StageInitializing && p.InitContainer == ContainerClone:
		return p.Pod + ": cloning data from a peer"
	case p.Stage == kube.StageInitializing && p.InitContainer == ContainerInitConfig:
		return p.Pod + ": configuring server identity"
	case p.Stage == kube.StagePending && strings.Contains(p.Message, "unbound immediate PersistentVolumeClaims"):
		return p.Pod + ": waiting for its volume"
	}
	return p.String()
}

func (m *Manager) say(line string) {
	if m.Progress != nil {
		m.Progress(line)
	}
}
