package kube

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// annotationDefaultClass marks the cluster's default StorageClass.
const annotationDefaultClass = "storageclass.kubernetes.io/is-default-class"

// StorageClassExpands says whether StorageClass name ("" for the
// cluster's default) allows volumes to grow (allowVolumeExpansion). Not
// being allowed to read StorageClasses is an error: the answer is unknown.
func (c *Client) StorageClassExpands(ctx context.Context, name string) (bool, string, error) {
	api := c.clientset.StorageV1().StorageClasses()
	if name == "" {
		list, err := api.List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", fmt.Errorf("list storageclasses: %w", err)
		}
		for _, sc := range list.Items {
			if sc.Annotations[annotationDefaultClass] == "true" {
				return sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion, sc.Name, nil
			}
		}
		return false, "", fmt.Errorf("the cluster has no default StorageClass")
	}
	sc, err := api.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, name, fmt.Errorf("storageclass %s does not exist", name)
	}
	if err != nil {
		return false, name, fmt.Errorf("get storageclass %s: %w", name, err)
	}
	return sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion, name, nil
}

// ResizePVC asks for a PersistentVolumeClaim of size (a quantity such as
// 20Gi) in c.Namespace; the StorageClass's provisioner grows the volume.
func (c *Client) ResizePVC(ctx context.Context, name, size string) error {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"resources": map[string]any{"requests": map[string]string{"storage": size}}}})
	if err != nil {
		return err
	}
	_, err = c.clientset.CoreV1().PersistentVolumeClaims(c.namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
	if err != nil {
		return fmt.Errorf("resize persistentvolumeclaim %s/%s to %s: %w", c.namespace, name, size, err)
	}
	return nil
}
