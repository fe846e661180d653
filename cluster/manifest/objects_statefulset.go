package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
)

// Paths inside the pods. scripts/lib.sh has the same defaults (a test keeps
// them equal), so the StatefulSet does not repeat them as environment.
const (
	mountScripts = "/mnt/mysqlctl"     // the ConfigMap: CONFIG_DIR
	mountConfD   = "/etc/mysql/conf.d" // cnf files written by init-config: CONF_DIR
	mountRun     = "/run/mysqlctl"     // in-memory, shared by the containers: RUN_DIR
	mountData    = "/data"             // the whole data volume: DATA_ROOT
	MountDatadir = "/var/lib/mysql"    // its subPath dataSubPath: DATADIR
	dataSubPath  = "mysql"
	// backupSubPath is where a mysql server writes its backup copy (CLONE
	// LOCAL must write outside the datadir), mounted in its container at
	// mountBackup; the sidecar streams it from the whole volume's mount.
	backupSubPath = "backup"
	mountBackup   = "/var/lib/mysqlctl-backup"
)

// Volume names of the pod template.
const (
	volumeScripts = "scripts"
	volumeConfD   = "conf"
	volumeRun     = "run"
)

// PodManagement is the StatefulSet's pod management policy; up re-creates
// a StatefulSet made with another one (an immutable field).
const PodManagement = appsv1.ParallelPodManagement

// terminationGracePeriodSeconds is short because nothing in the pod ignores
// SIGTERM: the sidecar traps it and the server shuts down on it. With ncat
// as PID 1 the tutorial's pods each held teardown for the default 30 s.
const terminationGracePeriodSeconds = 10

func buildStatefulSet(spec Spec, ns, configHash string) *appsv1ac.StatefulSetApplyConfiguration {
	sts := appsv1ac.StatefulSet(StatefulSetName(spec.Name), ns).
		WithLabels(Labels(spec.Name, ComponentDatabase)).
		WithAnnotations(map[string]string{AnnotationVersion: spec.Version, annotationNetworkPolicy: spec.NetworkPolicy}).
		WithSpec(appsv1ac.StatefulSetSpec().
			WithReplicas(spec.Replicas).
			WithServiceName(HeadlessServiceName(spec.Name)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(spec.Name))).
			// Every pod starts at once: the primary may be any ordinal, and
			// a replica that waited for lower ordinals to be ready could
			// wait for ever on one whose source is a higher ordinal. A
			// new replica's clone waits for a donor itself (clone.sh), and
			// rolling updates still go one pod at a time.
			WithPodManagementPolicy(PodManagement).
			// The partition is 0 at rest, so a pod re-created for any
			// reason runs the current template; up raises it for the
			// length of a rollout to update the primary last (RollFrom).
			WithUpdateStrategy(appsv1ac.StatefulSetUpdateStrategy().
				WithType(appsv1.RollingUpdateStatefulSetStrategyType).
				WithRollingUpdate(appsv1ac.RollingUpdateStatefulSetStrategy().WithPartition(0))).
			// Scaled-away volumes go: a replica re-created on an old volume
			// could need binlogs the primary purged (error 1236); a fresh one
			// clones. Deleting the cluster keeps the data. (scale
			// --keep-pvcs patches this for one scale-down.)
			WithPersistentVolumeClaimRetentionPolicy(appsv1ac.StatefulSetPersistentVolumeClaimRetentionPolicy().
				WithWhenScaled(appsv1.DeletePersistentVolumeClaimRetentionPolicyType).
				WithWhenDeleted(appsv1.RetainPersistentVolumeClaimRetentionPolicyType)).
			WithTemplate(buildPodTemplate(spec, configHash)).
			WithVolumeClaimTemplates(buildVolumeClaimTemplate(spec)))
	if spec.MetricsFrom != "" {
		sts.WithAnnotations(map[string]string{annotationMetricsFrom: spec.MetricsFrom})
	}
	if ns == "" {
		sts.Namespace = nil
	}
	return sts
}

func buildPodTemplate(spec Spec, configHash string) *corev1ac.PodTemplateSpecApplyConfiguration {
	t := corev1ac.PodTemplateSpec().
		WithLabels(Labels(spec.Name, ComponentDatabase)).
		WithAnnotations(map[string]string{annotationConfigHash: configHash}).
		WithSpec(corev1ac.PodSpec().
			WithTerminationGracePeriodSeconds(terminationGracePeriodSeconds).
			// Service links would put MYSQL_*-named variables (from a
			// Service called mysql) into the servers' environment.
			WithEnableServiceLinks(false).
			WithSecurityContext(podSecurityContext()).
			// No API token: nothing in the pods talks to Kubernetes.
			WithAutomountServiceAccountToken(false).
			WithAffinity(spreadAcrossNodes(spec.Name)).
			WithInitContainers(initConfigContainer(spec), cloneContainer(spec)).
			WithContainers(serverContainer(spec), sidecarContainer(spec)).
			WithVolumes(
				corev1ac.Volume().WithName(volumeScripts).WithConfigMap(corev1ac.ConfigMapVolumeSource().
					WithName(ConfigMapName(spec.Name)).WithDefaultMode(0o555)),
				corev1ac.Volume().WithName(volumeConfD).WithEmptyDir(corev1ac.EmptyDirVolumeSource()),
				corev1ac.Volume().WithName(volumeRun).WithEmptyDir(corev1ac.EmptyDirVolumeSource().
					WithMedium(corev1.StorageMediumMemory)),
				clusterStateVolume(spec.Name),
			).
			WithVolumes(secretVolumes(spec)...))
	if spec.WantsMetrics() {
		t.Spec.WithContainers(metricsContainer(spec)).WithVolumes(metricsVolumes(spec.Name)...)
	}
	return t
}

// spreadAcrossNodes prefers one pod per node, without requiring it: a
// single-node cluster must still run every replica.
func spreadAcrossNodes(name string) *corev1ac.AffinityApplyConfiguration {
	return corev1ac.Affinity().WithPodAntiAffinity(corev1ac.PodAntiAffinity().
		WithPreferredDuringSchedulingIgnoredDuringExecution(corev1ac.WeightedPodAffinityTerm().
			WithWeight(100).
			WithPodAffinityTerm(corev1ac.PodAffinityTerm().
				WithTopologyKey(corev1.LabelHostname).
				WithLabelSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(name))))))
}

func buildVolumeClaimTemplate(spec Spec) *corev1ac.PersistentVolumeClaimApplyConfiguration {
	pvcSpec := corev1ac.PersistentVolumeClaimSpec().
		WithAccessModes(corev1.ReadWriteOnce).
		WithResources(corev1ac.VolumeResourceRequirements().WithRequests(corev1.ResourceList{
			corev1.ResourceStorage: resource.MustParse(spec.StorageSize),
		}))
	if spec.StorageClass != "" {
		pvcSpec.WithStorageClassName(spec.StorageClass)
	}
	// A template, not an object: no kind, apiVersion or namespace.
	pvc := &corev1ac.PersistentVolumeClaimApplyConfiguration{}
	return pvc.WithName(VolumeClaimTemplateName).
		WithLabels(Labels(spec.Name, ComponentDatabase)).
		WithSpec(pvcSpec)
}

// RollFrom lets a rollout of the StatefulSet update only the pods of
// ordinal from and above (its RollingUpdate partition); 0 updates all.
func (o *Objects) RollFrom(from int32) {
	o.StatefulSet.Spec.UpdateStrategy.RollingUpdate.WithPartition(from)
}

// AnnotationTemplateHash on the StatefulSet is a digest of the pod template
// it was applied with: up compares it before applying, to hold a rollout
// below the primary only when the template changes.
const AnnotationTemplateHash = "mysqlctl.io/template-hash"

// StampTemplate records the digest of the StatefulSet's pod template, as
// it stands now, in AnnotationTemplateHash, and returns it.
func (o *Objects) StampTemplate() (string, error) {
	raw, err := json.Marshal(o.StatefulSet.Spec.Template)
	if err != nil {
		return "", fmt.Errorf("digest of the pod template: %w", err)
	}
	sum := sha256.Sum256(raw)
	digest := hex.EncodeToString(sum[:8])
	o.StatefulSet.WithAnnotations(map[string]string{AnnotationTemplateHash: digest})
	return digest, nil
}
