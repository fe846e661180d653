package manifest

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/mysqlctl/mysqlctl/kube"
)

// Recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelManagedBy = kube.ManagedByLabel // kube refuses to touch objects without it
	labelComponent = "app.kubernetes.io/component"

	// AppName is app.kubernetes.io/name for every flavour: the application
	// is "a MySQL", whichever server implements it.
	AppName = "mysql"
	// ManagedBy is app.kubernetes.io/managed-by on every object mysqlctl makes.
	ManagedBy = kube.ManagedByValue
)

// Values of app.kubernetes.io/component.
const (
	ComponentDatabase    = "database"    // StatefulSet, its pods and volumes, Services
	componentCredentials = "credentials" // the Secret
	componentConfig      = "config"      // the ConfigMap of cnf files and scripts
	ComponentTLS         = "tls"         // the CA and the servers' certificate
	componentNetwork     = "network"     // the NetworkPolicy
	componentMonitoring  = "monitoring"  // the PodMonitor and PrometheusRule
)

// Container and port names and numbers of a pod.
const (
	ContainerInitConfig = "init-config" // init: writes server-id and the role's cnf
	ContainerClone      = "clone"       // init: clones an empty replica from a peer
	ContainerServer     = "mysql"       // the database server
	ContainerSidecar    = "sidecar"     // replication setup, then serves clones

	PortMySQL     = 3306
	portClone     = 3307 // mariadb-backup / xtrabackup stream (not with mysql 8)
	portNameMySQL = "mysql"
	portNameClone = "clone"
)

// Keys of the credentials Secret and the accounts they belong to.
const (
	// SecretKeyRootPassword is root's password, the account clients use.
	// On MariaDB root has no READ_ONLY ADMIN, so replicas refuse its writes.
	SecretKeyRootPassword = "root-password"
	// SecretKeyAdminPassword is AdminUser's password: mysqlctl's own
	// account (scripts, probes, status and role changes), never for clients.
	SecretKeyAdminPassword = "admin-password"
	// SecretKeyReplicationPassword is ReplicationUser's password.
	SecretKeyReplicationPassword = "replication-password"
	// SecretKeyProbePassword is ProbeUser's password: the servers' probes
	// log in with it, and may only read replication status.
	SecretKeyProbePassword = "probe-password"

	RootUser        = "root"
	AdminUser       = "mysqlctl"
	ReplicationUser = "repl"
	ProbeUser       = "mysqlctl_probe"
)

// SecretKeys lists every key NewCredentials fills, in a stable order.
func SecretKeys() []string {
	return []string{SecretKeyRootPassword, SecretKeyAdminPassword, SecretKeyReplicationPassword, SecretKeyProbePassword}
}

// Keys of the TLS Secret the pods mount (TLSSecretName), as the servers'
// cnf and the clone stream read them, and of the CA Secret, which no pod
// mounts: whoever holds the CA's key can make certificates the cluster trusts.
const (
	TLSKeyCA   = "ca.crt"
	TLSKeyCert = "tls.crt"
	TLSKeyKey  = "tls.key"
	CAKeyKey   = "ca.key"
)

// TLSSecretName is the Secret of the servers' certificate, its key and the
// CA certificate, mounted in every pod.
func TLSSecretName(name string) string { return name + "-tls" }

// CASecretName is the Secret of the cluster's certificate authority.
func CASecretName(name string) string { return name + "-ca" }

// NetworkPolicyName is the NetworkPolicy of the spec key networkPolicy.
func NetworkPolicyName(name string) string { return name }

// Labels are the labels of a cluster's objects of one component.
func Labels(name, component string) map[string]string {
	return map[string]string{
		LabelName:      AppName,
		LabelInstance:  name,
		LabelManagedBy: ManagedBy,
		labelComponent: component,
	}
}

// selectorLabels select a cluster's pods; they are the StatefulSet's
// immutable selector, so they never change.
func selectorLabels(name string) map[string]string {
	return map[string]string{LabelName: AppName, LabelInstance: name}
}

// PodSelector is selectorLabels as a label selector string for List/Watch.
func PodSelector(name string) string {
	return labels.SelectorFromSet(selectorLabels(name)).String()
}

// StatefulSetName is the name of the cluster's StatefulSet.
func StatefulSetName(name string) string { return name }

// HeadlessServiceName is the name of the headless Service that gives each pod
// its stable DNS name (see PodHost).
func HeadlessServiceName(name string) string { return name }

// ReadServiceName is the name of the Service that balances reads over every
// ready pod.
func ReadServiceName(name string) string { return name + "-read" }

// SecretName is the name of the credentials Secret.
func SecretName(name string) string { return name + "-credentials" }

// ConfigMapName is the name of the ConfigMap of cnf files and pod scripts.
func ConfigMapName(name string) string { return name + "-config" }

// VolumeClaimTemplateName is the name of the data volume claim template;
// the PVC of pod i is "<VolumeClaimTemplateName>-<name>-<i>".
const VolumeClaimTemplateName = "data"

// PodName is the name of the pod with the given ordinal.
func PodName(name string, ordinal int) string { return fmt.Sprintf("%s-%d", name, ordinal) }

// PVCName is the name of the data volume of the pod with the given ordinal.
func PVCName(name string, ordinal int) string {
	return VolumeClaimTemplateName + "-" + PodName(name, ordinal)
}

// PodHost is the stable DNS name of a pod inside its namespace, through the
// headless Service: "<name>-<ordinal>.<name>". Ordinal 0 is the primary.
func PodHost(name string, ordinal int) string {
	return PodName(name, ordinal) + "." + HeadlessServiceName(name)
}
