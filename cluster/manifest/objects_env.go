package manifest

import (
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// The pods' environment is the contract with configs/scripts/lib.sh. It
// holds no password: those are files (objects_security.go).

// envFlavor names the pods' flavour; up reads it back from a running
// StatefulSet to know what runs (LiveSpec).
const envFlavor = "FLAVOR"

// envBinlogExpireSeconds is the binlog retention init-config writes into the
// server's cnf (binlog_expire_logs_seconds, or expire_logs_days on 5.7).
const envBinlogExpireSeconds = "BINLOG_EXPIRE_SECONDS"

// envServerVersion is the spec's version: init-config refuses an image whose
// server is another family or version before the server opens the volume.
const envServerVersion = "SERVER_VERSION"

// envMaxReadLag is maxReadLag in seconds, for the readiness probe.
const envMaxReadLag = "MAX_READ_LAG"

// envClientTLS is the spec's tls key: init-config makes the server refuse
// clients without TLS when it is "required".
const envClientTLS = "CLIENT_TLS"

// envSemiSyncTimeoutMillis is how long a primary waits for a replica's
// acknowledgement (ms): init-config writes the semi-sync cnf when it is
// set, and the sidecar makes a primary wait for acknowledgements when the
// server was started with that cnf. Absent when semiSync is off.
const envSemiSyncTimeoutMillis = "SEMI_SYNC_TIMEOUT_MS"

// baseEnv is what every script needs: the flavour picks the client tools and
// SQL dialect, the cluster name makes the peers' DNS names.
func baseEnv(spec Spec) []*corev1ac.EnvVarApplyConfiguration {
	return []*corev1ac.EnvVarApplyConfiguration{
		envValue(envFlavor, string(spec.Flavor)),
		envValue("CLUSTER_NAME", spec.Name),
	}
}

// accountEnv names the accounts the scripts log in as or create; their
// passwords are files under MountSecrets, by the Secret's keys.
func accountEnv() []*corev1ac.EnvVarApplyConfiguration {
	return []*corev1ac.EnvVarApplyConfiguration{
		envValue("ADMIN_USER", AdminUser),
		envValue("REPLICATION_USER", ReplicationUser),
		envValue("PROBE_USER", ProbeUser),
	}
}

func envValue(name, value string) *corev1ac.EnvVarApplyConfiguration {
	return corev1ac.EnvVar().WithName(name).WithValue(value)
}

// emptyRootPasswordVariable lets the official image initialise root with
// no password (the server has no networking then); its initdb script sets
// the password before the server starts for real (serverContainer).
func emptyRootPasswordVariable(f Flavor) string {
	if f == FlavorMariaDB {
		return "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"
	}
	return "MYSQL_ALLOW_EMPTY_PASSWORD"
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
