package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/kube"
)

// DownOptions are the choices of `mysqlctl down`.
type DownOptions struct {
	// Purge also deletes the volumes and the credentials Secret. Without it
	// `up` brings the same data back with the same passwords.
	Purge bool
}

// Down deletes the cluster's workload objects and waits until its pods are
// gone. It only ever deletes objects labelled as managed by mysqlctl, and
// deleting what is already gone is not an error.
func (m *Manager) Down(ctx context.Context, name string, opts DownOptions) ([]kube.Result, error) {
	deletes := []func(context.Context, string) (kube.Result, error){
		m.Kube.DeleteStatefulSet, m.Kube.DeleteService, m.Kube.DeleteService, m.Kube.DeleteConfigMap,
	}
	names := []string{StatefulSetName(name), HeadlessServiceName(name), ReadServiceName(name), ConfigMapName(name)}
	if opts.Purge {
		deletes = append(deletes, m.Kube.DeleteSecret)
		names = append(names, SecretName(name))
	}
	var results []kube.Result
	for i, del := range deletes {
		result, err := del(ctx, names[i])
		if err != nil {
			return results, fmt.Errorf("down %s: %w", name, err)
		}
		results = append(results, result)
	}
	m.say("waiting for the pods of " + name + " to stop")
	if err := m.Kube.WaitPodsGone(ctx, PodSelector(name)); err != nil {
		return results, fmt.Errorf("down %s: %w", name, err)
	}
	if opts.Purge {
		pvcs, err := m.Kube.DeletePVCs(ctx, PodSelector(name))
		if err != nil {
			return results, fmt.Errorf("down %s: delete volumes: %w", name, err)
		}
		results = append(results, pvcs...)
		m.say("waiting for the volumes of " + name + " to be deleted")
		if err := waitGone(ctx, m.presentPVCs(PodSelector(name))); err != nil {
			return results, fmt.Errorf("down %s: %w", name, err)
		}
	}
	return results, nil
}

// NothingDeleted says whether a down found nothing of the cluster.
func NothingDeleted(results []kube.Result) bool {
	for _, r := range results {
		if r.Action != kube.NotFound {
			return false
		}
	}
	return true
}
