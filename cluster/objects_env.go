package cluster

import (
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// The pods' environment is the contract with configs/scripts/lib.sh.
// Passwords only ever arrive through secretKeyRef: no object carries one.

// EnvFlavor names the pods' flavour; up reads it back from a running
// StatefulSet to know what runs (liveSpec).
const EnvFlavor = "FLAVOR"

// EnvBinlogExpireSeconds is the binlog retention init-config writes into the
// server's cnf (binlog_expire_logs_seconds, or expire_logs_days on 5.7).
const EnvBinlogExpireSeconds = "BINLOG_EXPIRE_SECONDS"

// EnvMaxReadLag is maxReadLag in seconds, for the readiness probe.
const EnvMaxReadLag = "MAX_READ_LAG"

// baseEnv is what every script needs: the flavour picks the client tools and
// SQL dialect, the cluster name makes the peers' DNS names.
func baseEnv(spec Spec) []*corev1ac.EnvVarApplyConfiguration {
	return []*corev1ac.EnvVarApplyConfiguration{
		envValue(EnvFlavor, string(spec.Flavor)),
		envValue("CLUSTER_NAME", spec.Name),
	}
}

// adminEnv is mysqlctl's own account, used by the clone, sidecar and probes.
func adminEnv(spec Spec) []*corev1ac.EnvVarApplyConfiguration {
	return []*corev1ac.EnvVarApplyConfiguration{
		envValue("ADMIN_USER", AdminUser),
		envSecret("ADMIN_PASSWORD", spec.Name, SecretKeyAdminPassword),
	}
}

// accountEnv is the passwords the sidecar creates the accounts with, and a
// restore's password reset gives them.
func accountEnv(spec Spec) []*corev1ac.EnvVarApplyConfiguration {
	return []*corev1ac.EnvVarApplyConfiguration{
		envValue("REPLICATION_USER", ReplicationUser),
		envSecret("REPLICATION_PASSWORD", spec.Name, SecretKeyReplicationPassword),
		envSecret("ROOT_PASSWORD", spec.Name, SecretKeyRootPassword),
	}
}

func envValue(name, value string) *corev1ac.EnvVarApplyConfiguration {
	return corev1ac.EnvVar().WithName(name).WithValue(value)
}

func envSecret(name, cluster, key string) *corev1ac.EnvVarApplyConfiguration {
	return corev1ac.EnvVar().WithName(name).WithValueFrom(corev1ac.EnvVarSource().
		WithSecretKeyRef(corev1ac.SecretKeySelector().WithName(SecretName(cluster)).WithKey(key)))
}

// rootPasswordVariable is the official image's variable for root's password
// on first initialisation.
func rootPasswordVariable(f Flavor) string {
	if f == FlavorMariaDB {
		return "MARIADB_ROOT_PASSWORD"
	}
	return "MYSQL_ROOT_PASSWORD"
}

// serverCommand is the server binary the image's entrypoint starts.
func serverCommand(f Flavor) string {
	if f == FlavorMariaDB {
		return "mariadbd"
	}
	return "mysqld"
}

// dataOwner owns a cloned datadir. The mysql57 clone runs in the XtraBackup
// image, which has no mysql user: 999 is the official images' mysql uid.
func dataOwner(f Flavor) string {
	if f == FlavorMySQL57 {
		return "999:999"
	}
	return "mysql:mysql"
}
