package cluster

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// maxReplicas is the most servers a cluster may have: each replica adds
// load on its source, and server ids are 100 + ordinal.
const maxReplicas = 32

// plan is what up will do: apply spec, after growing the volumes when the
// spec asks for larger ones than run.
type plan struct {
	spec        manifest.Spec
	growVolumes bool
	// podManagement is the running StatefulSet's policy when it is not
	// PodManagement: the StatefulSet is re-created around its pods.
	podManagement string
	// primary is the recorded primary (ordinal 0 on a new cluster), and
	// primaryRecorded says whether the record names it already.
	primary         string
	primaryRecorded bool
	// liveReplicas is how many servers run before up (0 without a
	// StatefulSet); liveTemplate the template digest it was applied with
	// (manifest.AnnotationTemplateHash); rolloutPending that some pod
	// does not run its template yet (an interrupted rollout).
	liveReplicas   int32
	liveTemplate   string
	rolloutPending bool
}

func (p plan) recreateReason() string {
	switch {
	case p.growVolumes && p.podManagement != "":
		return "its volume template and pod management policy are immutable"
	case p.growVolumes:
		return "its volume template is immutable"
	}
	return fmt.Sprintf("its pod management policy (%s, now %s: pods start together) is immutable", p.podManagement, manifest.PodManagement)
}

// planUp decides, reading only, the spec up will apply: the asked keys over
// what runs. Everything that can be refused is refused here, before the
// first write: a change that would harm the data, volumes whose class
// cannot grow them, new credentials for old volumes, more servers than
// allowed or than the nodes can hold.
func (c *Cluster) planUp(ctx context.Context, asked manifest.Spec, given manifest.Given) (plan, error) {
	sts, err := c.statefulSet(ctx)
	if err != nil {
		return plan{}, err
	}
	p := plan{spec: asked}
	if sts != nil {
		// Someone else's StatefulSet tells nothing of what runs here.
		if err := kube.CheckManaged(kube.KindStatefulSet, sts, "delete it or choose another --name"); err != nil {
			return p, err
		}
		live := manifest.LiveSpec(sts)
		p.liveReplicas = live.Replicas
		p.liveTemplate = sts.Annotations[manifest.AnnotationTemplateHash]
		p.rolloutPending = sts.Status.UpdateRevision != "" && sts.Status.CurrentRevision != sts.Status.UpdateRevision
		if !given.Has(manifest.KeyReplicas) {
			asked.Replicas = max(live.Replicas, 1)
		}
		if p.spec, err = manifest.Declare(asked, given, live); err != nil {
			return p, err
		}
		if err := c.refuseUnhealthyUpgrade(ctx, live, p.spec); err != nil {
			return p, err
		}
		if p.growVolumes = !manifest.SameQuantity(p.spec.StorageSize, live.StorageSize); p.growVolumes {
			if err := c.checkExpandable(ctx, live); err != nil {
				return p, err
			}
		}
		if sts.Spec.PodManagementPolicy != manifest.PodManagement {
			p.podManagement = string(sts.Spec.PodManagementPolicy)
		}
	}
	if sts == nil {
		// The command line left a version given without a flavour to the
		// running cluster's flavour: a new cluster has the asked one.
		if err := p.spec.Validate(); err != nil {
			return p, err
		}
	}
	rec, err := c.loadRecord(ctx)
	if err != nil {
		return p, err
	}
	if err := c.checkRecord(ctx, rec); err != nil {
		return p, err
	}
	p.primary = c.validPrimary(rec.data[StateKeyPrimary])
	p.primaryRecorded = p.primary != ""
	if !p.primaryRecorded {
		p.primary = manifest.PodName(c.name, 0)
	}
	if err := checkKeepsPrimary(c.name, p.primary, p.spec.Replicas); err != nil {
		return p, err
	}
	if err := c.checkCredentials(ctx); err != nil {
		return p, err
	}
	if err := c.checkImages(ctx, p.spec); err != nil {
		return p, err
	}
	return p, c.checkCapacity(ctx, p.spec, p.spec.Replicas)
}

// checkExpandable refuses larger volumes when their StorageClass cannot
// grow them.
func (c *Cluster) checkExpandable(ctx context.Context, live manifest.Spec) error {
	ok, class, err := c.api.StorageClassExpands(ctx, live.StorageClass)
	if err != nil {
		return fmt.Errorf("cannot tell whether the volumes of cluster %s can grow: %w", c.name, err)
	}
	if !ok {
		return manifest.InvalidSpec("storage", "the volumes of cluster %s are %s and their StorageClass %s does not allow expansion (allowVolumeExpansion): leave --storage out",
			c.name, live.StorageSize, manifest.ClassOrDefault(class))
	}
	return nil
}

// checkCredentials refuses to make a new Secret while volumes of the
// cluster exist: their servers were initialised with the old passwords.
func (c *Cluster) checkCredentials(ctx context.Context) error {
	secret, err := c.api.GetSecret(ctx, manifest.SecretName(c.name))
	if err != nil || secret != nil {
		return err
	}
	pvcs, err := c.api.ListPVCs(ctx, manifest.PodSelector(c.name))
	if err != nil || len(pvcs) == 0 {
		return err
	}
	names := make([]string, len(pvcs))
	for i, p := range pvcs {
		names[i] = p.Name
	}
	return errNoCredentials(c.name, names)
}

// checkRecord refuses to record a primary anew while volumes of the
// cluster exist: a record that is missing (deleted by hand, pruned by a
// GitOps tool) or names no pod would otherwise be replaced by one naming
// ordinal 0, which may be a fenced replica, leaving writes to fail, or
// worse. The servers stay read-only without it; the way back is to record
// the server that holds the writes.
func (c *Cluster) checkRecord(ctx context.Context, rec *record) error {
	if c.validPrimary(rec.data[StateKeyPrimary]) != "" {
		return nil
	}
	pvcs, err := c.api.ListPVCs(ctx, manifest.PodSelector(c.name))
	if err != nil || len(pvcs) == 0 {
		return err
	}
	what := "is missing"
	if rec.exists() {
		what = fmt.Sprintf("names no primary (%q)", rec.data[StateKeyPrimary])
	}
	return manifest.InvalidSpec("record",
		"the cluster's record (ConfigMap %s) %s, but %d volume(s) of cluster %s hold data: mysqlctl will not guess which server is the primary. Find the server that holds the writes with mysqlctl status, then record it with mysqlctl promote POD --adopt (or delete the volumes with mysqlctl down --purge for a new cluster)",
		manifest.StateConfigMapName(c.name), what, len(pvcs), c.name)
}

// checkCapacity refuses a server count above maxReplicas, or whose requests
// exceed what the schedulable nodes offer in all: such pods would stay
// Pending. Without the right to list nodes the second check is skipped.
func (c *Cluster) checkCapacity(ctx context.Context, spec manifest.Spec, replicas int32) error {
	if replicas > maxReplicas {
		return manifest.InvalidSpec("replicas", "replicas %d is more than the %d servers a cluster may have: pass --replicas %d or less", replicas, maxReplicas, maxReplicas)
	}
	capacity, err := c.api.SchedulableCapacity(ctx)
	if apierrors.IsForbidden(err) {
		c.debugf("capacity check skipped: %v", err)
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range []struct {
		what      string
		request   string
		available resource.Quantity
	}{{"CPU", spec.CPURequest, capacity.CPU}, {"memory", spec.MemoryRequest, capacity.Memory}} {
		q, err := resource.ParseQuantity(r.request)
		if err != nil {
			return fmt.Errorf("%s request %q: %w", r.what, r.request, err)
		}
		need := q.DeepCopy()
		need.Mul(int64(replicas))
		if need.Cmp(r.available) > 0 {
			return manifest.InvalidSpec("replicas", "%d servers need %s %s in all (%s each) but the %d schedulable node(s) offer %s: pass fewer --replicas or a smaller --%s",
				replicas, need.String(), r.what, r.request, capacity.Nodes, r.available.String(), map[string]string{"CPU": "cpu", "memory": "memory"}[r.what])
		}
	}
	return nil
}

// errNoCredentials refuses to make new passwords for data that was
// initialised with the old ones.
func errNoCredentials(name string, volumes []string) error {
	return manifest.InvalidSpec("credentials", "secret %s is gone but cluster %s still has %d volume(s) (%s) whose servers use its passwords: restore the Secret (e.g. from a backup of it), or delete the data with 'mysqlctl down --purge'",
		manifest.SecretName(name), name, len(volumes), strings.Join(volumes, ", "))
}
