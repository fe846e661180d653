package cluster

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kinds of the objects a cluster is made of, as ObjectPresence names them.
const (
	KindStatefulSet = "StatefulSet"
	KindService     = "Service"
	KindSecret      = "Secret"
	KindConfigMap   = "ConfigMap"
)

// credentials are the admin account's, read from the cluster's Secret; err
// says why they could not be read, and is reported on every member.
type credentials struct {
	user, password string
	err            error
}

// statefulSet returns the cluster's StatefulSet, or nil when it does not exist.
func (in *Inspector) statefulSet(ctx context.Context) (*appsv1.StatefulSet, error) {
	ns := in.Kube.Namespace
	sts, err := in.Kube.Clientset.AppsV1().StatefulSets(ns).Get(ctx, StatefulSetName(in.Name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get statefulset %s/%s: %w", ns, StatefulSetName(in.Name), err)
	}
	return sts, nil
}

// objects tells which of the cluster's objects exist and reads the admin
// credentials from the Secret on the way. The StatefulSet was read already.
func (in *Inspector) objects(ctx context.Context, sts *appsv1.StatefulSet) ([]ObjectPresence, credentials) {
	ns := in.Kube.Namespace
	core := in.Kube.Clientset.CoreV1()
	out := []ObjectPresence{{Kind: KindStatefulSet, Name: StatefulSetName(in.Name), Present: sts != nil}}
	for _, name := range []string{HeadlessServiceName(in.Name), ReadServiceName(in.Name)} {
		_, err := core.Services(ns).Get(ctx, name, metav1.GetOptions{})
		out = append(out, presence(KindService, name, err))
	}
	secret, err := core.Secrets(ns).Get(ctx, SecretName(in.Name), metav1.GetOptions{})
	out = append(out, presence(KindSecret, SecretName(in.Name), err))
	creds := adminCredentials(ns, in.Name, secret, err)
	_, err = core.ConfigMaps(ns).Get(ctx, ConfigMapName(in.Name), metav1.GetOptions{})
	out = append(out, presence(KindConfigMap, ConfigMapName(in.Name), err))
	return out, creds
}

func presence(kind, name string, err error) ObjectPresence {
	p := ObjectPresence{Kind: kind, Name: name, Present: err == nil}
	if err != nil && !apierrors.IsNotFound(err) {
		p.Error = err.Error()
	}
	return p
}

// adminCredentials picks the admin password out of the Secret. The error
// names the Secret and key, never any of its data.
func adminCredentials(ns, name string, secret *corev1.Secret, err error) credentials {
	c := credentials{user: AdminUser}
	where := fmt.Sprintf("secret %s/%s", ns, SecretName(name))
	switch {
	case apierrors.IsNotFound(err):
		c.err = fmt.Errorf("no credentials: %s does not exist", where)
	case err != nil:
		c.err = fmt.Errorf("no credentials: read %s: %w", where, err)
	case len(secret.Data[SecretKeyAdminPassword]) == 0:
		c.err = fmt.Errorf("no credentials: %s has no key %s", where, SecretKeyAdminPassword)
	default:
		c.password = string(secret.Data[SecretKeyAdminPassword])
	}
	return c
}
