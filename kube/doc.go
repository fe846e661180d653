// Package kube holds mysqlctl's thin client-go adapters: a client built from
// kubeconfig, context and namespace; server-side apply that reports what it
// changed; deletions limited to objects mysqlctl manages; watch-based waits
// that explain a stalled roll-out; and port-forwarding to pods.
//
// It knows Kubernetes, not MySQL: callers build the objects and choose the
// label selectors, this package sends, watches and diagnoses them.
package kube

const (
	// FieldManager is the server-side apply field manager for every object
	// mysqlctl writes, so ownership of fields is stable across runs.
	FieldManager = "mysqlctl"
	// ManagedByLabel marks objects mysqlctl created; Apply refuses to take
	// over, and the Delete methods refuse to remove, objects without it.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is ManagedByLabel's value on mysqlctl's objects.
	ManagedByValue = "mysqlctl"
)
