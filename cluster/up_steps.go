package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// upStep is one named step of up. Every step reads and completes the run
// the steps share; the list is chosen once, from the plan, before the
// first step runs, so a new kind of change adds steps rather than branches.
type upStep struct {
	name string
	do   func(c *Cluster, ctx context.Context, run *upRun) error
}

// upRun is what the steps of one up share: the plan and the objects,
// both made before anything is written, and the inputs the steps need.
type upRun struct {
	plan            plan
	objects         *manifest.Objects
	createNamespace bool
	// restore, when set, is the backup the new cluster's primary starts
	// from; alone is then the same cluster with its primary alone, applied
	// first so that nothing clones an empty primary.
	restore *RestoreOptions
	alone   *manifest.Objects
	// credentials make the Secret's data when it does not exist yet: new
	// passwords, or a restored cluster's own.
	credentials func() (map[string][]byte, error)
	// restartPrimary: a rollout may restart the primary in place
	// (UpOptions.RestartPrimary). primaryLast: the StatefulSet is applied
	// with its rollout held below the primary's ordinal, for
	// rollPrimaryLastStep to finish (holdRolloutStep decides).
	restartPrimary bool
	primaryLast    bool
}

// steps lists what up does for run, in order.
func (run *upRun) steps() []upStep {
	steps := []upStep{
		{"namespace", (*Cluster).ensureNamespaceStep},
		{"refuse foreign objects", (*Cluster).refuseForeignStep},
	}
	if run.plan.growVolumes {
		steps = append(steps, upStep{"grow volumes", (*Cluster).growVolumesStep})
	}
	if run.plan.growVolumes || run.plan.podManagement != "" {
		steps = append(steps, upStep{"re-create the StatefulSet", (*Cluster).recreateStep})
	}
	if !run.plan.primaryRecorded || run.restore != nil {
		steps = append(steps, upStep{"record the primary", (*Cluster).recordPrimaryStep})
	}
	steps = append(steps, upStep{"TLS", (*Cluster).tlsStep})
	if run.restore != nil {
		return append(steps,
			upStep{"apply the primary alone", (*Cluster).applyAloneStep},
			upStep{"restore the backup", (*Cluster).restoreStep},
			upStep{"apply", (*Cluster).applyStep},
			upStep{"wait", (*Cluster).waitStep},
			upStep{"mark initialised", (*Cluster).markInitializedStep},
			upStep{"metrics", (*Cluster).metricsStep})
	}
	return append(steps,
		upStep{"hold the rollout below the primary", (*Cluster).holdRolloutStep},
		upStep{"apply", (*Cluster).applyStep},
		upStep{"heal the rollout", (*Cluster).healStep},
		upStep{"roll the primary last", (*Cluster).rollPrimaryLastStep},
		upStep{"wait", (*Cluster).waitStep},
		upStep{"mark initialised", (*Cluster).markInitializedStep},
		upStep{"reload the certificate", (*Cluster).reloadTLSStep},
		upStep{"trust the current CA alone", (*Cluster).trustStep},
		upStep{"metrics", (*Cluster).metricsStep})
}

// runSteps runs steps in order and stops at the first error.
func (c *Cluster) runSteps(ctx context.Context, run *upRun, steps []upStep) error {
	for _, s := range steps {
		c.debugf("up: %s", s.name)
		if err := s.do(c, ctx, run); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) ensureNamespaceStep(ctx context.Context, run *upRun) error {
	ns, err := c.api.EnsureNamespace(ctx, c.Namespace(), run.createNamespace)
	if err == nil && ns.Action == kube.Created {
		c.changed(ns.String())
	}
	return err
}

// refuseForeignStep writes nothing while any object of these names is
// someone else's.
func (c *Cluster) refuseForeignStep(ctx context.Context, run *upRun) error {
	var all []kube.ApplyConfiguration
	for _, obj := range append(run.objects.InOrder(), run.objects.Optional()...) {
		all = append(all, obj)
	}
	return c.api.RefuseForeign(ctx, all...)
}

func (c *Cluster) growVolumesStep(ctx context.Context, run *upRun) error {
	return c.growVolumes(ctx, run.plan.spec.StorageSize)
}

func (c *Cluster) recreateStep(ctx context.Context, run *upRun) error {
	return c.recreateAroundPods(ctx, run.plan.recreateReason())
}

// recordPrimaryStep names the primary in the record before any pod
// exists: the pods read it at their first start. A restore also asks
// the primary to wait for the backup.
func (c *Cluster) recordPrimaryStep(ctx context.Context, run *upRun) error {
	state := map[string]string{StateKeyPrimary: run.plan.primary}
	if r := run.restore; r != nil {
		state[stateKeyRestore] = fmt.Sprintf("%s (SHA-256 %s)", filepath.Base(r.File), r.Info.SHA256)
	}
	return c.writeState(ctx, state)
}

// tlsStep makes or renews the certificates. A server that cannot reload
// its certificate (mysql57) rolls onto a new one: its pod template
// carries the serial.
func (c *Cluster) tlsStep(ctx context.Context, run *upRun) error {
	serial, err := c.ensureTLS(ctx, time.Now())
	if err != nil || reloadsTLS(run.plan.spec.Flavor) {
		return err
	}
	for _, o := range []*manifest.Objects{run.objects, run.alone} {
		if o != nil {
			o.StatefulSet.Spec.Template.WithAnnotations(map[string]string{AnnotationTLSSerial: serial})
		}
	}
	return nil
}

func (c *Cluster) applyStep(ctx context.Context, run *upRun) error {
	if run.alone != nil && run.plan.spec.Replicas == 1 {
		return nil // the primary alone is the whole cluster, applied already
	}
	return c.apply(ctx, run.objects, run.credentials)
}

func (c *Cluster) applyAloneStep(ctx context.Context, run *upRun) error {
	return c.apply(ctx, run.alone, run.credentials)
}

func (c *Cluster) restoreStep(ctx context.Context, run *upRun) error {
	return c.restore(ctx, run.restore)
}

// healStep replaces pods stuck on the previous template also when the
// StatefulSet is unchanged: an earlier up that applied the fix may have
// been interrupted before it healed.
func (c *Cluster) healStep(ctx context.Context, _ *upRun) error {
	_, err := c.healRollout(ctx)
	return err
}

func (c *Cluster) waitStep(ctx context.Context, run *upRun) error {
	if err := c.waitHealing(ctx, run.plan.spec.Replicas, run.plan.primary); err != nil {
		return c.explainRefusedPrimary(ctx, err)
	}
	return nil
}

func (c *Cluster) markInitializedStep(ctx context.Context, _ *upRun) error {
	return c.recordInitialized(ctx)
}

// metricsStep gives the exporters their account once the primary is
// ready, and applies (or, metrics off, deletes) the Prometheus Operator's
// objects.
func (c *Cluster) metricsStep(ctx context.Context, run *upRun) error {
	if err := c.ensureMetricsAccount(ctx, run.plan.spec, run.plan.primary); err != nil {
		return err
	}
	return c.applyMonitoring(ctx, run.plan.spec)
}

func (c *Cluster) reloadTLSStep(ctx context.Context, run *upRun) error {
	return c.reloadTLS(ctx, run.plan.spec.Flavor)
}
