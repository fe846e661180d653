package cluster

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// Kinds of the objects a cluster is made of, as ObjectPresence names them.
const (
	kindStatefulSet = "StatefulSet"
	kindService     = "Service"
	kindSecret      = "Secret"
	kindConfigMap   = "ConfigMap"
	kindPDB         = "PodDisruptionBudget"
)

// credentials are the admin account's, read from the cluster's Secret; err
// says why they could not be read, and is reported on every member.
type credentials struct {
	user, password string
	err            error
	// ca is the CA certificate the servers' certificates are checked
	// against; nil for a cluster made before mysqlctl gave it TLS.
	ca []byte
	// certificates are the ends of the certificates in the same Secret.
	certificates []Certificate
}

// objects tells which of the cluster's objects exist and reads the admin
// credentials from the Secret on the way. The StatefulSet was read already.
func (c *Cluster) objects(ctx context.Context, sts *appsv1.StatefulSet) ([]ObjectPresence, credentials) {
	out := []ObjectPresence{{Kind: kindStatefulSet, Name: manifest.StatefulSetName(c.name), Present: sts != nil}}
	for _, name := range []string{manifest.HeadlessServiceName(c.name), manifest.ReadServiceName(c.name), manifest.PrimaryServiceName(c.name)} {
		ok, err := c.api.Exists(ctx, kube.KindService, name)
		out = append(out, presence(kindService, name, ok, err))
	}
	secret, err := c.api.GetSecret(ctx, manifest.SecretName(c.name))
	out = append(out, presence(kindSecret, manifest.SecretName(c.name), secret != nil, err))
	creds := c.adminCredentials(secret, err)
	if tlsSecret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name)); err != nil {
		creds.err = fmt.Errorf("no CA to verify the servers: read secret %s/%s: %w", c.Namespace(), manifest.TLSSecretName(c.name), err)
	} else if tlsSecret != nil {
		creds.ca = tlsSecret.Data[manifest.TLSKeyCA]
		creds.certificates = certificateEnds(tlsSecret.Name, tlsSecret.Data)
	}
	ok, err := c.api.Exists(ctx, kube.KindConfigMap, manifest.ConfigMapName(c.name))
	out = append(out, presence(kindConfigMap, manifest.ConfigMapName(c.name), ok, err))
	for _, name := range []string{manifest.DisruptionBudgetName(c.name), manifest.PrimaryDisruptionBudgetName(c.name)} {
		ok, err := c.api.Exists(ctx, kube.KindPodDisruptionBudget, name)
		out = append(out, presence(kindPDB, name, ok, err))
	}
	return out, creds
}

func presence(kind, name string, present bool, err error) ObjectPresence {
	p := ObjectPresence{Kind: kind, Name: name, Present: present}
	if err != nil {
		p.Error = err.Error()
	}
	return p
}

// adminCredentials picks the admin password out of the Secret (nil when it
// does not exist). The error names the Secret and key, never any of its data.
func (c *Cluster) adminCredentials(secret *corev1.Secret, err error) credentials {
	creds := credentials{user: manifest.AdminUser}
	where := fmt.Sprintf("secret %s/%s", c.Namespace(), manifest.SecretName(c.name))
	switch {
	case err != nil:
		creds.err = fmt.Errorf("no credentials: read %s: %w", where, err)
	case secret == nil:
		creds.err = fmt.Errorf("no credentials: %s does not exist", where)
	case len(secret.Data[manifest.SecretKeyAdminPassword]) == 0:
		creds.err = fmt.Errorf("no credentials: %s has no key %s", where, manifest.SecretKeyAdminPassword)
	default:
		creds.password = string(secret.Data[manifest.SecretKeyAdminPassword])
	}
	return creds
}
