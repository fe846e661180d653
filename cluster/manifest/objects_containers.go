package manifest

import (
	"path"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/mysqlctl/mysqlctl/configs"
)

// Requests of the helper containers: they idle but for a clone.
const (
	helperCPURequest    = "10m"
	helperMemoryRequest = "64Mi"
)

// initConfigContainer writes server-id, report_host and the role's cnf: it
// reads the record (which pod is the primary) and the volume (is it new).
func initConfigContainer(spec Spec) *corev1ac.ContainerApplyConfiguration {
	env := append(baseEnv(spec),
		envValue(envBinlogExpireSeconds, strconv.FormatInt(spec.BinlogRetentionSeconds(), 10)),
		envValue(envServerVersion, spec.Version),
		envValue(envClientTLS, spec.TLS))
	if ms := spec.SemiSyncTimeoutMillis(); ms > 0 {
		env = append(env, envValue(envSemiSyncTimeoutMillis, strconv.FormatInt(ms, 10)))
	}
	return scriptContainer(ContainerInitConfig, spec.ServerImage(), configs.ScriptInitConfig).
		WithEnv(env...).
		WithResources(resourceRequests(helperCPURequest, helperMemoryRequest)).
		WithVolumeMounts(
			volumeMount(volumeScripts, mountScripts, true),
			volumeMount(volumeConfD, mountConfD, false),
			volumeMount(VolumeClaimTemplateName, mountData, true),
			volumeMount(volumeClusterState, mountClusterState, true),
		)
}

// cloneContainer fills an empty replica's volume from a healthy peer.
func cloneContainer(spec Spec) *corev1ac.ContainerApplyConfiguration {
	env := append(baseEnv(spec), accountEnv()...)
	env = append(env, envValue("DATA_OWNER", dataOwner(spec.Flavor)))
	return scriptContainer(ContainerClone, spec.ToolsImage(), configs.ScriptClone).
		WithEnv(env...).
		WithResources(resourceRequests(helperCPURequest, helperMemoryRequest)).
		WithVolumeMounts(
			volumeMount(volumeScripts, mountScripts, true),
			volumeMount(volumeRun, mountRun, false),
			volumeMount(VolumeClaimTemplateName, mountData, false),
			volumeMount(volumeClusterState, mountClusterState, true),
			volumeMount(volumeSecrets, MountSecrets, true),
			volumeMount(volumeTLS, MountTLS, true),
		)
}

// serverContainer runs the image's own entrypoint. On the recorded
// primary's empty datadir the image initialises root with no password and
// no networking, then runs initdb-root-password.sh, which sets root's
// password from the mounted Secret: a password given to the image as a
// variable (or a _FILE variable, which it exports) would stay in the
// server's environment for its whole life.
func serverContainer(spec Spec) *corev1ac.ContainerApplyConfiguration {
	env := append([]*corev1ac.EnvVarApplyConfiguration{
		envValue(emptyRootPasswordVariable(spec.Flavor), "1"),
	}, baseEnv(spec)...)
	env = append(env, accountEnv()...) // the probes' account
	env = append(env, envValue(envMaxReadLag, strconv.FormatInt(spec.MaxReadLagSeconds(), 10)))
	c := corev1ac.Container().
		WithName(ContainerServer).
		WithImage(spec.ServerImage()).
		WithImagePullPolicy(corev1.PullIfNotPresent).
		WithArgs(serverCommand(spec.Flavor)).
		WithEnv(env...).
		WithPorts(corev1ac.ContainerPort().WithName(portNameMySQL).WithContainerPort(PortMySQL).WithProtocol(corev1.ProtocolTCP)).
		WithResources(resourceRequests(spec.CPURequest, spec.MemoryRequest)).
		WithVolumeMounts(
			volumeMount(volumeConfD, mountConfD, true),
			volumeMount(volumeScripts, mountScripts, true),
			volumeMount(volumeRun, mountRun, false),
			volumeMount(VolumeClaimTemplateName, MountDatadir, false).WithSubPath(dataSubPath),
			volumeMount(volumeServerSecrets, MountSecrets, true),
			volumeMount(volumeTLS, MountTLS, true),
			volumeMount(volumeInitDB, mountInitDB, true),
			volumeMount(volumeSocket, mountSocket, false),
		).
		WithSecurityContext(containerSecurityContext())
	if spec.Flavor == FlavorMySQL {
		c.WithVolumeMounts(volumeMount(VolumeClaimTemplateName, mountBackup, false).WithSubPath(backupSubPath))
	}
	return withProbes(c)
}

// withProbes: the startup probe allows ten minutes of crash recovery before
// liveness counts; readiness is probe.sh's role-aware check. The startup
// probe asks every second, because the kubelet runs no readiness probe
// before it passed and runs one at once after: a new server is ready about
// a second after it answers, not up to five. It stops once passed.
func withProbes(c *corev1ac.ContainerApplyConfiguration) *corev1ac.ContainerApplyConfiguration {
	return c.
		WithStartupProbe(execProbe("live").WithPeriodSeconds(1).WithFailureThreshold(600)).
		WithLivenessProbe(execProbe("live").WithPeriodSeconds(10).WithFailureThreshold(3)).
		WithReadinessProbe(execProbe("ready").WithPeriodSeconds(3).WithFailureThreshold(2))
}

func execProbe(mode string) *corev1ac.ProbeApplyConfiguration {
	return corev1ac.Probe().
		WithExec(corev1ac.ExecAction().WithCommand("bash", ScriptPath(configs.ScriptProbe), mode)).
		WithTimeoutSeconds(5)
}

// sidecarContainer sets up accounts or replication, then serves clones.
func sidecarContainer(spec Spec) *corev1ac.ContainerApplyConfiguration {
	env := append(baseEnv(spec), accountEnv()...)
	c := scriptContainer(ContainerSidecar, spec.ToolsImage(), configs.ScriptSidecar).
		WithEnv(env...).
		WithResources(resourceRequests(helperCPURequest, helperMemoryRequest)).
		WithVolumeMounts(
			volumeMount(volumeScripts, mountScripts, true),
			volumeMount(volumeRun, mountRun, false),
			// The server's cnf: the backup tool reads the server's settings,
			// and the sidecar makes every later start of the server
			// read-only (sidecar.sh: start_read_only).
			volumeMount(volumeConfD, mountConfD, false),
			volumeMount(volumeClusterState, mountClusterState, true),
			volumeMount(VolumeClaimTemplateName, mountData, false),
			volumeMount(VolumeClaimTemplateName, MountDatadir, false).WithSubPath(dataSubPath),
			volumeMount(volumeSecrets, MountSecrets, true),
			volumeMount(volumeTLS, MountTLS, true),
		)
	if spec.streamsBackups() {
		c.WithPorts(corev1ac.ContainerPort().WithName(portNameClone).WithContainerPort(portClone).WithProtocol(corev1.ProtocolTCP))
	}
	return c
}

// scriptContainer runs one pod script as PodUser, the server's own user
// (podSecurityContext): the clone writes the datadir the server then owns,
// and the sidecar's backup reads the server's 0640 files as their owner.
func scriptContainer(name, image, script string) *corev1ac.ContainerApplyConfiguration {
	return corev1ac.Container().
		WithName(name).
		WithImage(image).
		WithImagePullPolicy(corev1.PullIfNotPresent).
		WithSecurityContext(containerSecurityContext()).
		WithCommand("bash", ScriptPath(script))
}

// ScriptPath is where the pods see one of configs/scripts.
func ScriptPath(name string) string { return path.Join(mountScripts, name) }

func volumeMount(volume, at string, readOnly bool) *corev1ac.VolumeMountApplyConfiguration {
	m := corev1ac.VolumeMount().WithName(volume).WithMountPath(at)
	if readOnly {
		m.WithReadOnly(true)
	}
	return m
}

func resourceRequests(cpu, memory string) *corev1ac.ResourceRequirementsApplyConfiguration {
	return corev1ac.ResourceRequirements().WithRequests(corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(cpu),
		corev1.ResourceMemory: resource.MustParse(memory),
	})
}
