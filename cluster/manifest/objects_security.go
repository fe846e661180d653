package manifest

import (
	corev1 "k8s.io/api/core/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/mysqlctl/mysqlctl/configs"
)

// Where the pods find their secrets: files, never environment variables,
// which any process's /proc/PID/environ shows and every child inherits.
// scripts/lib.sh has the same defaults (SECRETS_DIR, TLS_DIR).
const (
	MountSecrets = "/etc/mysqlctl/secrets" // the credentials Secret, one file a key
	MountTLS     = "/etc/mysqlctl/tls"     // the TLS Secret: ca.crt, tls.crt, tls.key
	// mountInitDB is where the official images run scripts once, while
	// they initialise an empty datadir.
	mountInitDB = "/docker-entrypoint-initdb.d"
	// initDBRootPassword is the script's name there.
	initDBRootPassword = "50-mysqlctl-root-password.sh"
	// mountSocket is the server's socket directory, an emptyDir: an image
	// whose own directory belongs to root still runs as PodUser.
	mountSocket = "/run/mysqld"
)

const (
	volumeSecrets       = "secrets"
	volumeServerSecrets = "server-secrets"
	volumeTLS           = "tls"
	volumeInitDB        = "initdb"
	volumeSocket        = "socket"
)

// PodUser is the uid and gid every container runs as: the mysql user of
// the official mysql and mariadb images (and of the local test image), who
// owns the datadir. XtraBackup's image (mysql57) runs as whatever uid it is
// given. Nothing in a pod runs as root.
const PodUser = 999

// secretFileMode lets the owner and the group read: the kubelet makes the
// files root's and gives them the group fsGroup (PodUser), so the server's
// user reads them through its group and no other user can.
const secretFileMode = 0o440

// podSecurityContext meets the "restricted" Pod Security Standard with the
// containers' contexts: non-root, the runtime's default seccomp profile.
// fsGroup makes the Secret files and emptyDirs readable by PodUser.
func podSecurityContext() *corev1ac.PodSecurityContextApplyConfiguration {
	return corev1ac.PodSecurityContext().
		WithRunAsNonRoot(true).
		WithRunAsUser(PodUser).
		WithRunAsGroup(PodUser).
		WithFSGroup(PodUser).
		WithFSGroupChangePolicy(corev1.FSGroupChangeOnRootMismatch).
		WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))
}

// containerSecurityContext: no capability, no way to gain privileges.
func containerSecurityContext() *corev1ac.SecurityContextApplyConfiguration {
	return corev1ac.SecurityContext().
		WithAllowPrivilegeEscalation(false).
		WithCapabilities(corev1ac.Capabilities().WithDrop("ALL"))
}

// secretVolumes are the pod's volumes of secrets:
//   - secrets: every password, for the init containers and the sidecar;
//   - server-secrets: only what the server container needs, root's
//     password (its first initialisation) and the probe account's (which
//     a cluster made before that account has no key for: optional);
//   - tls: the certificate every server presents and the CA;
//   - socket: the server's socket directory, writable by PodUser;
//   - initdb: the script that sets root's password at initialisation.
func secretVolumes(spec Spec) []*corev1ac.VolumeApplyConfiguration {
	secret := SecretName(spec.Name)
	return []*corev1ac.VolumeApplyConfiguration{
		corev1ac.Volume().WithName(volumeSecrets).WithSecret(corev1ac.SecretVolumeSource().
			WithSecretName(secret).WithDefaultMode(secretFileMode)),
		corev1ac.Volume().WithName(volumeServerSecrets).WithProjected(corev1ac.ProjectedVolumeSource().
			WithDefaultMode(secretFileMode).
			WithSources(
				corev1ac.VolumeProjection().WithSecret(corev1ac.SecretProjection().WithName(secret).
					WithItems(corev1ac.KeyToPath().WithKey(SecretKeyRootPassword).WithPath(SecretKeyRootPassword))),
				corev1ac.VolumeProjection().WithSecret(corev1ac.SecretProjection().WithName(secret).WithOptional(true).
					WithItems(corev1ac.KeyToPath().WithKey(SecretKeyProbePassword).WithPath(SecretKeyProbePassword))),
			)),
		corev1ac.Volume().WithName(volumeTLS).WithSecret(corev1ac.SecretVolumeSource().
			WithSecretName(TLSSecretName(spec.Name)).WithDefaultMode(secretFileMode)),
		corev1ac.Volume().WithName(volumeSocket).WithEmptyDir(corev1ac.EmptyDirVolumeSource().
			WithMedium(corev1.StorageMediumMemory)),
		corev1ac.Volume().WithName(volumeInitDB).WithConfigMap(corev1ac.ConfigMapVolumeSource().
			WithName(ConfigMapName(spec.Name)).
			WithItems(corev1ac.KeyToPath().WithKey(configs.ScriptInitDBRootPassword).WithPath(initDBRootPassword).WithMode(0o555))),
	}
}
