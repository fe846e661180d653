package cluster

import (
	"context"
	"fmt"

	"github.com/distribution/reference"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// localOnlyDomain is where images imported into a node's runtime live
// ("localhost/name:tag", no port): no registry serves them, so one that no
// node holds can never be pulled.
const localOnlyDomain = "localhost"

// checkImages resolves the images up will run before anything is written:
// an image no node holds is either pulled by the nodes (said on progress)
// or, for an image that only an import into the nodes can provide, refused
// in one sentence. Without the right to list nodes the check is skipped.
func (c *Cluster) checkImages(ctx context.Context, spec manifest.Spec) error {
	held, err := c.api.NodeImages(ctx)
	if apierrors.IsForbidden(err) {
		c.debugf("image check skipped: %v", err)
		return nil
	}
	if err != nil {
		return err
	}
	onNodes := map[string]bool{}
	for name := range held {
		if canonical, ok := manifest.CanonicalImage(name); ok {
			onNodes[canonical] = true
		}
	}
	for _, image := range uniqueImages(spec) {
		canonical, ok := manifest.CanonicalImage(image)
		if !ok || onNodes[canonical] {
			continue
		}
		named, _ := reference.ParseNormalizedNamed(image)
		if reference.Domain(named) == localOnlyDomain {
			return manifest.InvalidSpec("image", "image %s is on no node, and a localhost/ image comes only from an import into the nodes' container runtime, never from a registry: import it on every node, or pass another --image", image)
		}
		c.say(fmt.Sprintf("image %s is on no node yet: the nodes will pull it from %s", image, reference.Domain(named)))
	}
	return nil
}

// uniqueImages are the images of the pods, each once.
func uniqueImages(spec manifest.Spec) []string {
	if spec.ToolsImage() == spec.ServerImage() {
		return []string{spec.ServerImage()}
	}
	return []string{spec.ServerImage(), spec.ToolsImage()}
}
