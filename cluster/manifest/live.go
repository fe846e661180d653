package manifest

import (
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// AnnotationVersion on the StatefulSet records the server version up
// applied: the one fact of the spec the StatefulSet's own fields (image
// tags are free text) do not tell.
const AnnotationVersion = "mysqlctl.io/version"

// annotationNetworkPolicy on the StatefulSet records the spec key
// networkPolicy, so a later up without it keeps what runs.
const annotationNetworkPolicy = "mysqlctl.io/network-policy"

// annotationMetricsFrom on the StatefulSet records the spec key
// metricsFrom, which only the NetworkPolicy shows otherwise.
const annotationMetricsFrom = "mysqlctl.io/metrics-from"

// LiveSpec is the spec a running StatefulSet was applied from, read back
// from its own fields: the flavour from the pods' environment, images,
// requests and volumes from the template, the version from its
// annotation (the flavour's default for a StatefulSet that predates it).
func LiveSpec(sts *appsv1.StatefulSet) Spec {
	s := Spec{Name: sts.Name}
	if sts.Spec.Replicas != nil {
		s.Replicas = *sts.Spec.Replicas
	}
	pod := sts.Spec.Template.Spec
	for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
		for _, e := range c.Env {
			if e.Name == envFlavor && s.Flavor == "" {
				s.Flavor = Flavor(e.Value)
			}
			if n, err := strconv.ParseInt(e.Value, 10, 64); e.Name == envBinlogExpireSeconds && err == nil {
				s.BinlogRetention = (time.Duration(n) * time.Second).String()
			}
			if n, err := strconv.ParseInt(e.Value, 10, 64); e.Name == envMaxReadLag && err == nil {
				s.MaxReadLag = (time.Duration(n) * time.Second).String()
			}
			if e.Name == envClientTLS {
				s.TLS = e.Value
			}
			if n, err := strconv.ParseInt(e.Value, 10, 64); e.Name == envSemiSyncTimeoutMillis && err == nil {
				s.SemiSync, s.SemiSyncTimeout = SemiSyncOn, (time.Duration(n) * time.Millisecond).String()
				if n == StrictSemiSyncTimeoutMillis {
					s.SemiSync, s.SemiSyncTimeout = SemiSyncStrict, ""
				}
			}
		}
		switch c.Name {
		case ContainerServer:
			s.Image = c.Image
			s.CPURequest = quantity(c.Resources.Requests, corev1.ResourceCPU)
			s.MemoryRequest = quantity(c.Resources.Requests, corev1.ResourceMemory)
		case ContainerSidecar:
			s.BackupImage = c.Image
		case ContainerMetrics:
			s.Metrics, s.MetricsImage = "true", c.Image
		}
	}
	if s.BackupImage == s.Image {
		s.BackupImage = ""
	}
	s.Version = sts.Annotations[AnnotationVersion]
	s.NetworkPolicy = sts.Annotations[annotationNetworkPolicy]
	s.MetricsFrom = sts.Annotations[annotationMetricsFrom]
	if s.Version == "" && s.Flavor != "" {
		s.Version = defaultVersion(s.Flavor)
	}
	for _, t := range sts.Spec.VolumeClaimTemplates {
		if t.Name == VolumeClaimTemplateName {
			s.StorageSize = quantity(t.Spec.Resources.Requests, corev1.ResourceStorage)
			if t.Spec.StorageClassName != nil {
				s.StorageClass = *t.Spec.StorageClassName
			}
		}
	}
	return s
}

func quantity(list corev1.ResourceList, name corev1.ResourceName) string {
	if q, ok := list[name]; ok {
		return q.String()
	}
	return ""
}

// Declare is the spec up applies to a running cluster: asked for every key
// the user gave, what runs for every other, so a plain `up` changes nothing.
// A new version given without an image takes that version's default image.
// It refuses, as an *InvalidSpecError naming what runs and what to do,
// every change that would harm the data: another flavour, an older
// version or a newer one its vendor does not upgrade to in place, another
// StorageClass, smaller volumes. Larger volumes pass:
// planUp checks that their StorageClass can grow them.
func Declare(asked Spec, given Given, live Spec) (Spec, error) {
	if live.Flavor == "" { // a StatefulSet that does not say: take the asked one
		live.Flavor, live.Version = asked.Flavor, asked.Version
	}
	if given.Has(KeyFlavor) && asked.Flavor != live.Flavor {
		return Spec{}, InvalidSpec("flavor", "cluster %s runs %s, and %s would start on its data: keep --flavor %s (or leave it out); another flavour needs a new cluster (another --name)",
			live.Name, live.Flavor, asked.Flavor, live.Flavor)
	}
	if given.Has(KeyStorageClass) && asked.StorageClass != live.StorageClass {
		return Spec{}, InvalidSpec("storageClass", "the volumes of cluster %s are of StorageClass %s and cannot move to %q: leave --storage-class out; another class needs a new cluster",
			live.Name, ClassOrDefault(live.StorageClass), asked.StorageClass)
	}
	if given.Has(KeyStorage) && smaller(asked.StorageSize, live.StorageSize) {
		return Spec{}, InvalidSpec("storage", "the volumes of cluster %s are %s and cannot shrink to %s: leave --storage out, or pass %s or more",
			live.Name, live.StorageSize, asked.StorageSize, live.StorageSize)
	}
	// Every key given takes the asked value (flavour and class are the
	// same by now); name and replicas always do (planUp set replicas).
	out := live
	for _, row := range SpecKeys() {
		if given.Has(row.Key) {
			_ = row.Set(&out, row.Get(asked))
		}
	}
	out.Name, out.Replicas = asked.Name, asked.Replicas
	if given.Has(KeyVersion) {
		if OlderVersion(asked.Version, live.Version) {
			return Spec{}, InvalidSpec("version", "cluster %s runs %s %s; %s is older and cannot open its data: pass --version %s or newer (or leave it out)",
				live.Name, live.Flavor, live.Version, asked.Version, live.Version)
		}
		if err := refuseUnsupportedUpgrade(live.Name, live.Flavor, live.Version, asked.Version); err != nil {
			return Spec{}, err
		}
		if !given.Has(KeyImage) {
			out.Image = "" // the new version's default
		}
		if !given.Has(KeyBackupImage) {
			out.BackupImage = ""
		}
	}
	out = out.WithDefaults()
	return out, out.Validate()
}

// OlderVersion says whether version a is older than b (both validated dotted
// versions; a missing patch level compares as equal to any).
func OlderVersion(a, b string) bool {
	am, an, ap, ok1 := parseVersion(a)
	bm, bn, bp, ok2 := parseVersion(b)
	if !ok1 || !ok2 {
		return false
	}
	if am != bm {
		return am < bm
	}
	if an != bn {
		return an < bn
	}
	return ap >= 0 && bp >= 0 && ap < bp
}

// SameQuantity says whether two quantities are equal (10Gi and 10240Mi are).
func SameQuantity(a, b string) bool { return compareQuantity(a, b) == 0 }

func smaller(a, b string) bool { return compareQuantity(a, b) < 0 }

// compareQuantity compares two valid quantities; an invalid one compares
// as equal, so nothing is decided on it (Validate refuses it anyway).
func compareQuantity(a, b string) int {
	qa, err1 := resource.ParseQuantity(a)
	qb, err2 := resource.ParseQuantity(b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return qa.Cmp(qb)
}

// ClassOrDefault names a StorageClass for a message, the default one included.
func ClassOrDefault(class string) string {
	if class == "" {
		return "(the cluster's default)"
	}
	return class
}
