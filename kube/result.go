package kube

import "fmt"

// Action is what a mutation did, worded as kubectl prints it.
type Action string

// Actions reported by Apply, CreateSecretIfAbsent, EnsureNamespace and the Delete methods.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
	Deleted    Action = "deleted"
	// NotFound: a Delete method found nothing to delete, which is not an error.
	NotFound Action = "not found"
)

// Result names the object a mutation touched and what it did to it.
type Result struct {
	Kind      string // lower-case singular, as kubectl prints it: "statefulset"
	Namespace string // empty for cluster-scoped objects
	Name      string
	Action    Action
}

// String renders the result like kubectl: "statefulset/mysql unchanged".
func (r Result) String() string {
	return fmt.Sprintf("%s/%s %s", r.Kind, r.Name, r.Action)
}
