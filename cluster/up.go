package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/types"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// UpOptions are the choices of `mysqlctl up` beyond the spec.
type UpOptions struct {
	CreateNamespace bool
	// Given are the spec keys the user gave explicitly. On a running
	// cluster every other key keeps the value that runs, so a plain `up`
	// changes nothing.
	Given manifest.Given
	// Restore, when set, makes a new cluster whose primary starts from a
	// backup file; its replicas clone it as usual.
	Restore *RestoreOptions
	// RestartPrimary lets a rollout restart the primary where it stands
	// instead of switching over to an updated replica first.
	RestartPrimary bool
}

// Up applies the cluster's objects and waits until every server is ready.
// It is idempotent: objects already as specified are reported unchanged.
// spec.Name must be the cluster's name.
func (c *Cluster) Up(ctx context.Context, spec manifest.Spec, opts UpOptions) error {
	if spec.Name != c.name {
		return fmt.Errorf("up %s: the spec names cluster %q", c.name, spec.Name)
	}
	if err := c.up(ctx, spec, opts); err != nil {
		return fmt.Errorf("up %s: %w", c.name, err)
	}
	return nil
}

func (c *Cluster) up(ctx context.Context, asked manifest.Spec, opts UpOptions) error {
	run, err := c.prepareUp(ctx, asked, opts)
	if err != nil {
		return err
	}
	return c.runSteps(ctx, run, run.steps())
}

// prepareUp reads the cluster and builds every object up will write, before
// anything is written: whatever can be refused is refused here.
func (c *Cluster) prepareUp(ctx context.Context, asked manifest.Spec, opts UpOptions) (*upRun, error) {
	run := &upRun{createNamespace: opts.CreateNamespace, restore: opts.Restore, credentials: c.newCredentials}
	if run.credentials == nil {
		run.credentials = manifest.NewCredentials
	}
	if r := opts.Restore; r != nil {
		var err error
		if asked, err = adoptBackup(asked, opts.Given, r); err != nil {
			return nil, err
		}
		if err := c.checkNewCluster(ctx); err != nil {
			return nil, err
		}
		if r.Credentials != nil {
			run.credentials = func() (map[string][]byte, error) { return restoreCredentials(r.Credentials) }
		}
	}
	var err error
	if run.plan, err = c.planUp(ctx, asked, opts.Given); err != nil {
		return nil, err
	}
	if run.objects, err = c.buildUpObjects(run.plan.spec, run.plan.primary); err != nil {
		return nil, err
	}
	run.restartPrimary = opts.RestartPrimary
	if run.restore != nil {
		alone := run.plan.spec
		alone.Replicas = 1
		if run.alone, err = c.buildUpObjects(alone, run.plan.primary); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// buildUpObjects are the objects of spec, with the write Service and the
// disruption budgets naming primary.
func (c *Cluster) buildUpObjects(spec manifest.Spec, primary string) (*manifest.Objects, error) {
	objects, err := manifest.BuildObjects(spec, c.Namespace())
	if err != nil {
		return nil, err
	}
	objects.PointAt(c.name, c.Namespace(), primary, spec.WithDefaults().Replicas)
	return objects, nil
}

// explainRefusedPrimary adds, when the wait ended because the primary's
// clone container refuses an empty volume (its data is lost), which server
// holds the most data: what the person reading the error needs next.
func (c *Cluster) explainRefusedPrimary(ctx context.Context, err error) error {
	var stuck *kube.PodError
	if !errors.As(err, &stuck) || stuck.Container != manifest.ContainerClone {
		return err
	}
	if primary, perr := c.RecordedPrimary(ctx); perr != nil || stuck.Pod != primary {
		return err
	}
	report, serr := c.Status(ctx)
	if serr != nil {
		return err
	}
	if hint := mostData(report); hint != "" {
		return fmt.Errorf("%w\n  %s", err, hint)
	}
	return err
}

// healRollout replaces the pods stuck on the previous template, which a
// StatefulSet rollout would otherwise wait on for ever. Ready pods are
// never touched.
func (c *Cluster) healRollout(ctx context.Context) (int, error) {
	replaced, err := c.api.HealRollout(ctx, manifest.StatefulSetName(c.name))
	for _, r := range replaced {
		c.changed(fmt.Sprintf("pod/%s replaced: it was stuck on the previous revision (%s), so the new one could not roll out", r.Pod, r.Problem.Reason))
	}
	return len(replaced), err
}

// waitHealing waits for the servers; when the wait ends on a stuck pod, a
// pod of the previous revision that only turned out stuck after the first
// look is replaced and the wait resumes. A stuck pod of the current
// revision ends it: that is the new template's own problem.
func (c *Cluster) waitHealing(ctx context.Context, replicas int32, primary string) error {
	for attempt := 0; ; attempt++ {
		err := c.waitReady(ctx, replicas, primary)
		var stuck *kube.PodError
		if err == nil || attempt == 2 || !errors.As(err, &stuck) {
			return err
		}
		n, herr := c.healRollout(ctx)
		if herr != nil || n == 0 {
			return err
		}
	}
}

// apply writes every object: the Secret only when absent, with the data
// credentials make (its passwords were used to initialise the servers),
// the rest with server-side apply.
func (c *Cluster) apply(ctx context.Context, objects *manifest.Objects, credentials func() (map[string][]byte, error)) error {
	data, err := credentials()
	if err != nil {
		return fmt.Errorf("generate credentials: %w", err)
	}
	secret, err := c.api.CreateSecretIfAbsent(ctx, objects.Secret.WithData(data))
	if err != nil {
		return err
	}
	c.changed(secret.String())
	if err := c.createMetricsSecret(ctx, objects); err != nil {
		return err
	}
	for _, obj := range objects.Applied() {
		result, err := c.api.Apply(ctx, obj)
		if err != nil {
			return err
		}
		c.changed(result.String())
	}
	if objects.NetworkPolicy == nil { // networkPolicy turned off, or never on
		result, err := c.api.Delete(ctx, kube.KindNetworkPolicy, manifest.NetworkPolicyName(c.name))
		if err != nil && !errors.Is(err, kube.ErrNotManaged) {
			return err
		}
		if err == nil && result.Action != kube.NotFound {
			c.changed(result.String())
		}
	}
	return nil
}

// waitReady waits for the StatefulSet's pods, printing each pod's progress.
// The moment the primary is first ready its server holds the cluster's
// data, so the record says so at once (recordInitialized), not only once
// every replica is: an up interrupted after that leaves a cluster whose
// primary still refuses to start on an empty volume.
func (c *Cluster) waitReady(ctx context.Context, replicas int32, primary string) error {
	c.say(fmt.Sprintf("waiting for %d server(s) to be ready", replicas))
	initialized := false
	err := c.waitStatefulSet(ctx, manifest.StatefulSetName(c.name), replicas, func(p kube.PodProgress) {
		// Recorded before it is said: whoever reads "ready" (and presses
		// Ctrl-C) finds it in the record.
		if p.Pod == primary && p.Stage == kube.StageReady && !initialized {
			if err := c.recordInitialized(ctx); err != nil {
				c.debugf("record that the cluster holds data: %v (tried again at the end)", err)
			} else {
				initialized = true
			}
		}
		c.say("  " + describeProgress(p))
	})
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted while waiting for the servers: %w", err)
	}
	return err
}

// describeProgress words a pod's stage in the terms of this topology: the
// clone init container means a replica is copying a peer's data (the
// primary never clones: it passes that step at once), and a pod waiting for its new volume to be
// provisioned is not a scheduling problem.
func describeProgress(p kube.PodProgress) string {
	switch {
	case p.Stage == kube.StageInitializing && p.InitContainer == manifest.ContainerClone:
		return p.Pod + ": cloning data from a peer, or waiting for one"
	case p.Stage == kube.StageInitializing && p.InitContainer == manifest.ContainerInitConfig:
		return p.Pod + ": configuring server identity"
	case p.Stage == kube.StagePending && strings.Contains(p.Message, "unbound immediate PersistentVolumeClaims"):
		return p.Pod + ": waiting for its volume"
	}
	return p.String()
}

// growVolumes asks every volume of the cluster for size; the StatefulSet is
// then re-created with the larger volume template (recreateAroundPods).
func (c *Cluster) growVolumes(ctx context.Context, size string) error {
	pvcs, err := c.api.ListPVCs(ctx, manifest.PodSelector(c.name))
	if err != nil {
		return err
	}
	for _, pvc := range pvcs {
		if err := c.api.ResizePVC(ctx, pvc.Name, size); err != nil {
			return err
		}
		c.changed(fmt.Sprintf("%s/%s resized to %s", kube.KindPVC, pvc.Name, size))
	}
	return nil
}

// recreateAroundPods deletes the StatefulSet leaving its pods running, so
// that apply can create it anew with a changed immutable field: the new
// one adopts the running pods, and rolls them only if their template
// changed too.
func (c *Cluster) recreateAroundPods(ctx context.Context, why string) error {
	old, err := c.api.DeleteOrphaning(ctx, kube.KindStatefulSet, manifest.StatefulSetName(c.name))
	if err != nil {
		return err
	}
	c.say("re-creating statefulset/" + old.Name + " around its running pods: " + why)
	name := manifest.StatefulSetName(c.name)
	return c.api.WaitGone(ctx, kube.Gone{Kind: kube.KindStatefulSet, Names: []string{name}, UIDs: map[string]types.UID{name: old.UID}})
}
