package kube

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
)

// outcome decides kubectl's verdict for an apply. before is nil when the
// object did not exist.
//
// A real API server skips the write of a no-op apply, so an unchanged
// resourceVersion means unchanged. When it did change, the content is
// compared without the fields others write (status, managedFields,
// resourceVersion, generation): the StatefulSet controller may have updated
// status between our Get and our apply, which is not our change. The content
// comparison is also what makes fake clientsets work: they never set
// resourceVersion.
func outcome(before, after object) (Action, error) {
	if before == nil {
		return Created, nil
	}
	if rv := before.GetResourceVersion(); rv != "" && rv == after.GetResourceVersion() {
		return Unchanged, nil
	}
	a, err := ownContent(before)
	if err != nil {
		return "", err
	}
	b, err := ownContent(after)
	if err != nil {
		return "", err
	}
	if equality.Semantic.DeepEqual(a, b) {
		return Unchanged, nil
	}
	return Configured, nil
}

// ownContent is obj as a map without the fields written by others or bumped
// by any write.
func ownContent(obj object) (map[string]any, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("compare %T: %w", obj, err)
	}
	delete(m, "status")
	delete(m, "apiVersion")
	delete(m, "kind")
	if meta, ok := m["metadata"].(map[string]any); ok {
		for _, k := range []string{"resourceVersion", "managedFields", "generation"} {
			delete(meta, k)
		}
	}
	return m, nil
}
