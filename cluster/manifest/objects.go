package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	"github.com/mysqlctl/mysqlctl/configs"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// Objects are the Kubernetes objects of one cluster, as server-side apply
// configurations owned by kube.FieldManager.
type Objects struct {
	// Secret holds no data: the up use case creates it once with
	// NewCredentials and never overwrites it.
	Secret *corev1ac.SecretApplyConfiguration
	// ConfigMap holds the flavour's cnf files, the pod scripts and the
	// statement files they run (sql.PodStatements).
	ConfigMap *corev1ac.ConfigMapApplyConfiguration
	// HeadlessService gives every pod a DNS name (PodHost), ready or not.
	HeadlessService *corev1ac.ServiceApplyConfiguration
	// ReadService balances reads over every ready pod.
	ReadService *corev1ac.ServiceApplyConfiguration
	// PrimaryService reaches the recorded primary (ordinal 0 as built; up
	// points it at the pod the cluster's record names).
	PrimaryService *corev1ac.ServiceApplyConfiguration
	StatefulSet    *appsv1ac.StatefulSetApplyConfiguration
	// DisruptionBudget lets evictions take one replica at a time, and
	// PrimaryDisruptionBudget none of the primary (both built for ordinal
	// 0, like PrimaryService; see PointAt).
	DisruptionBudget        *policyv1ac.PodDisruptionBudgetApplyConfiguration
	PrimaryDisruptionBudget *policyv1ac.PodDisruptionBudgetApplyConfiguration
	// NetworkPolicy is nil unless the spec asks for one (networkPolicy).
	NetworkPolicy *networkingv1ac.NetworkPolicyApplyConfiguration
	// MetricsSecret (created once, like Secret) and the Prometheus
	// Operator's objects (applied where its CRDs are served) are nil
	// unless the spec has metrics.
	MetricsSecret *corev1ac.SecretApplyConfiguration
	Monitoring    []*kube.Custom
}

// Object is what every apply configuration of Objects has in common.
type Object interface {
	GetName() *string
	GetNamespace() *string
}

// InOrder lists the objects in the order they are applied: what the pods
// mount and resolve first, the StatefulSet last.
func (o *Objects) InOrder() []Object {
	return append([]Object{o.Secret}, o.Applied()...)
}

// Optional lists the objects only a spec with metrics has: up refuses to
// take them over like the others.
func (o *Objects) Optional() []Object {
	var objs []Object
	if o.MetricsSecret != nil {
		objs = append(objs, o.MetricsSecret)
	}
	for _, m := range o.Monitoring {
		objs = append(objs, m)
	}
	return objs
}

// Applied lists the objects that are server-side applied on every run, in
// order: all but the Secret, which is created once (see Objects.Secret).
func (o *Objects) Applied() []Object {
	objs := []Object{o.ConfigMap, o.HeadlessService, o.ReadService, o.PrimaryService, o.StatefulSet, o.DisruptionBudget, o.PrimaryDisruptionBudget}
	if o.NetworkPolicy != nil {
		objs = append(objs, o.NetworkPolicy)
	}
	return objs
}

// annotationCredentials on the Secret says where its data comes from.
const annotationCredentials = "mysqlctl.io/credentials"

// annotationConfigHash on the pod template is a digest of the ConfigMap, so
// a change of scripts or cnf files rolls the pods (replicas first).
const annotationConfigHash = "mysqlctl.io/config-hash"

// BuildObjects builds the objects of spec (after WithDefaults) in namespace
// ns ("" leaves it to whoever applies them), or returns the
// *InvalidSpecError of an invalid spec.
func BuildObjects(spec Spec, ns string) (*Objects, error) {
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	cm, err := buildConfigMap(spec, ns)
	if err != nil {
		return nil, err
	}
	o := &Objects{
		Secret:          buildSecret(spec, ns),
		ConfigMap:       cm,
		HeadlessService: buildHeadlessService(spec, ns),
		ReadService:     buildReadService(spec, ns),
		StatefulSet:     buildStatefulSet(spec, ns, configHash(cm.Data)),
		NetworkPolicy:   buildNetworkPolicy(spec, ns),
		MetricsSecret:   buildMetricsSecret(spec, ns),
		Monitoring:      BuildMonitoring(spec, ns, time.Time{}),
	}
	o.PointAt(spec.Name, ns, PodName(spec.Name, 0), spec.Replicas)
	return o, nil
}

func buildSecret(spec Spec, ns string) *corev1ac.SecretApplyConfiguration {
	return credentialsSecret(spec.Name, SecretName(spec.Name), ns, "random passwords generated once by mysqlctl up, never overwritten")
}

// credentialsSecret is a Secret of passwords without data, which up
// creates once and never overwrites; what says what its data is.
func credentialsSecret(cluster, name, ns, what string) *corev1ac.SecretApplyConfiguration {
	s := corev1ac.Secret(name, ns).
		WithLabels(Labels(cluster, componentCredentials)).
		WithAnnotations(map[string]string{annotationCredentials: what}).
		WithType(corev1.SecretTypeOpaque)
	if ns == "" {
		s.Namespace = nil
	}
	return s
}

func buildConfigMap(spec Spec, ns string) (*corev1ac.ConfigMapApplyConfiguration, error) {
	data, err := configs.Scripts()
	if err != nil {
		return nil, err
	}
	cnf, err := configs.ServerConfig(string(spec.Flavor))
	if err != nil {
		return nil, fmt.Errorf("config of flavour %s: %w", spec.Flavor, err)
	}
	flavour, version := statementServer(spec)
	stmts, err := sql.PodStatements(flavour, version)
	if err != nil {
		return nil, fmt.Errorf("statements of flavour %s %s: %w", spec.Flavor, spec.Version, err)
	}
	for _, files := range []map[string]string{cnf, stmts} {
		for name, text := range files {
			data[name] = text
		}
	}
	cm := corev1ac.ConfigMap(ConfigMapName(spec.Name), ns).
		WithLabels(Labels(spec.Name, componentConfig)).
		WithData(data)
	if ns == "" {
		cm.Namespace = nil
	}
	return cm, nil
}

// statementServer is the one mapping from a spec's flavour and version to
// the server the sql package writes the pods' statements for. A MySQL 8.0
// series without a patch release means the oldest release validateVersion
// accepts, 8.0.23: the first with CHANGE REPLICATION SOURCE TO.
func statementServer(spec Spec) (sql.Flavour, string) {
	switch spec.Flavor {
	case FlavorMariaDB:
		return sql.MariaDB, spec.Version
	case FlavorMySQL57:
		return sql.MySQL57, spec.Version
	}
	if major, minor, patch, ok := parseVersion(spec.Version); ok && major == 8 && minor == 0 {
		if patch < 0 {
			return sql.MySQL80, "8.0.23"
		}
		return sql.MySQL80, spec.Version
	}
	return sql.MySQL84, spec.Version
}

// configHash is a short digest of the ConfigMap's data, stable across runs.
func configHash(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\x00%s\x00", k, data[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// buildHeadlessService publishes not-ready addresses: a new replica must
// resolve its peers (and the primary) before any of it is Ready.
func buildHeadlessService(spec Spec, ns string) *corev1ac.ServiceApplyConfiguration {
	ports := []*corev1ac.ServicePortApplyConfiguration{servicePort(portNameMySQL, PortMySQL)}
	if spec.streamsBackups() {
		ports = append(ports, servicePort(portNameClone, portClone))
	}
	s := corev1ac.Service(HeadlessServiceName(spec.Name), ns).
		WithLabels(Labels(spec.Name, ComponentDatabase)).
		WithSpec(corev1ac.ServiceSpec().
			WithClusterIP(corev1.ClusterIPNone).
			WithPublishNotReadyAddresses(true).
			WithSelector(selectorLabels(spec.Name)).
			WithPorts(ports...))
	if ns == "" {
		s.Namespace = nil
	}
	return s
}

// buildReadService selects every pod, primary included; readiness keeps out
// the replicas that stopped replicating.
func buildReadService(spec Spec, ns string) *corev1ac.ServiceApplyConfiguration {
	s := corev1ac.Service(ReadServiceName(spec.Name), ns).
		WithLabels(Labels(spec.Name, ComponentDatabase)).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(selectorLabels(spec.Name)).
			WithPorts(servicePort(portNameMySQL, PortMySQL)))
	if ns == "" {
		s.Namespace = nil
	}
	return s
}

func servicePort(name string, port int32) *corev1ac.ServicePortApplyConfiguration {
	return corev1ac.ServicePort().WithName(name).WithPort(port).
		WithTargetPort(intstr.FromString(name)).WithProtocol(corev1.ProtocolTCP)
}

// streamsBackups tells whether the flavour's sidecar serves clones on
// portClone. MySQL 8 clones through its CLONE plugin on PortMySQL instead.
func (s Spec) streamsBackups() bool { return s.Flavor != FlavorMySQL }
