package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// maxNameLength bounds a cluster's name. The StatefulSet's pods carry a
// controller-revision-hash label "<name>-<10-char hash>" that must fit in 63
// characters, which leaves 52 for the name; every other derived name
// (<name>-read, <name>-credentials, data-<name>-<ordinal>) fits inside that.
const maxNameLength = 52

// InvalidSpecError is a spec a user must correct: its message is one
// sentence that says what is wrong and what to pass instead.
type InvalidSpecError struct {
	Field   string // the spec key at fault, e.g. "replicas"
	Message string
}

func (e *InvalidSpecError) Error() string { return e.Message }

// InvalidSpec is an *InvalidSpecError about field, worded by format.
func InvalidSpec(field, format string, args ...any) error {
	return &InvalidSpecError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate reports the first problem of s as an *InvalidSpecError, or nil.
// Call it on a spec that went through WithDefaults.
func (s Spec) Validate() error {
	checks := []func() error{
		s.validateName, s.validateReplicas, s.validateFlavor,
		s.validateVersion, s.validateImages, s.validateResources, s.validateBinlogRetention, s.validateMaxReadLag, s.validateTLS, s.validateNetworkPolicy,
		s.validateSemiSync, s.validateMetrics,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (s Spec) validateName() error {
	if len(validation.IsDNS1035Label(s.Name)) > 0 || len(s.Name) > maxNameLength {
		return InvalidSpec("name", "name %q is not usable: use at most %d lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, e.g. --name mysql", s.Name, maxNameLength)
	}
	return nil
}

// ValidateNamespace refuses a namespace name Kubernetes would refuse; ""
// means the kubeconfig context's namespace.
func ValidateNamespace(ns string) error {
	if ns != "" && len(validation.IsDNS1123Label(ns)) > 0 {
		return InvalidSpec("namespace", "namespace %q is not a valid namespace name: use lowercase letters, digits and '-' (at most 63), e.g. --namespace db", ns)
	}
	return nil
}

func (s Spec) validateReplicas() error {
	if s.Replicas < 1 {
		return InvalidSpec("replicas", "replicas must be a whole number ≥ 1, got %d: pass --replicas 1 or more", s.Replicas)
	}
	return nil
}

func (s Spec) validateFlavor() error {
	for _, f := range Flavors() {
		if s.Flavor == f {
			return nil
		}
	}
	return InvalidSpec("flavor", "flavor %q is not known: pass --flavor %s", s.Flavor, flavorList())
}

func flavorList() string {
	names := make([]string, 0, len(Flavors()))
	for _, f := range Flavors() {
		names = append(names, string(f))
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func (s Spec) validateImages() error {
	if _, ok := CanonicalImage(s.Image); !ok {
		return InvalidSpec("image", "image %q is not an image reference: pass e.g. --image %s", s.Image, defaultImage(s.Flavor, defaultVersion(s.Flavor)))
	}
	if _, ok := CanonicalImage(s.BackupImage); s.BackupImage != "" && !ok {
		return InvalidSpec("backupImage", "backupImage %q is not an image reference: pass e.g. --backup-image %s", s.BackupImage, DefaultXtrabackupImage)
	}
	return nil
}

func (s Spec) validateResources() error {
	quantities := []struct{ key, flag, value, example string }{
		{"storage", "storage", s.StorageSize, defaultStorageSize},
		{"cpu", "cpu", s.CPURequest, defaultCPURequest},
		{"memory", "memory", s.MemoryRequest, defaultMemoryRequest},
	}
	for _, q := range quantities {
		v, err := resource.ParseQuantity(q.value)
		if err != nil || v.Sign() <= 0 {
			return InvalidSpec(q.key, "%s %q is not a positive Kubernetes quantity: pass e.g. --%s %s", q.key, q.value, q.flag, q.example)
		}
	}
	if s.StorageClass != "" && len(validation.IsDNS1123Subdomain(s.StorageClass)) > 0 {
		return InvalidSpec("storageClass", "storageClass %q is not a valid StorageClass name: pass the name of one from `kubectl get storageclass`, or leave it empty for the default", s.StorageClass)
	}
	return nil
}

// validateVersion accepts the series each flavour's scripts are written for:
// mysql 8.0.23+ (CHANGE REPLICATION SOURCE, GET_SOURCE_PUBLIC_KEY), the 8.4
// LTS and the 9.7 LTS (the innovation releases between them are out of
// support, and 9.7 speaks 8.4's syntax: docs/flavours.md);
// mariadb 10.11+ (from 10.11 SUPER no longer implies READ_ONLY ADMIN, which
// the read-only replicas rely on); mysql57 5.7.
func (s Spec) validateVersion() error {
	major, minor, patch, ok := parseVersion(s.Version)
	good := ok
	switch s.Flavor {
	case FlavorMySQL:
		good = ok && (major == 9 && minor == 7 || major == 8 && (minor == 4 || (minor == 0 && (patch < 0 || patch >= 23))))
	case FlavorMariaDB:
		good = ok && (major == 10 && minor >= 11 || major == 11)
	case FlavorMySQL57:
		good = ok && major == 5 && minor == 7
	}
	if !good {
		return InvalidSpec("version", "version %q is not supported for flavor %s: pass --version %s", s.Version, s.Flavor, supportedVersions(s.Flavor))
	}
	return nil
}

func supportedVersions(f Flavor) string {
	switch f {
	case FlavorMariaDB:
		return "10.11, 11.4 or 11.8 (10.11 or later)"
	case FlavorMySQL57:
		return "5.7"
	default:
		return "8.4, 9.7 or 8.0 (8.0.23 or later)"
	}
}

// parseVersion splits "8.0", "8.0.36" or "11.4.2" into numbers; patch is -1
// when absent. Image tags with suffixes ("8.4-oracle") are not versions: put
// such a tag in --image and keep --version to the series.
func parseVersion(v string) (major, minor, patch int, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	nums := []int{0, 0, -1}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return 0, 0, 0, false
		}
		nums[i] = n
	}
	return nums[0], nums[1], nums[2], true
}

// minBinlogRetention is the shortest binlog retention accepted: less leaves
// a replica that restarts no time to catch up. maxBinlogRetention (99 days)
// is the most MariaDB's binlog_expire_logs_seconds and 5.7's
// expire_logs_days take; init-config refuses more rather than let the
// server lower it.
const (
	minBinlogRetention = time.Hour
	maxBinlogRetention = 99 * 24 * time.Hour
)

func (s Spec) validateBinlogRetention() error {
	d, err := time.ParseDuration(s.BinlogRetention)
	if err != nil || d < minBinlogRetention || d > maxBinlogRetention || d%time.Second != 0 {
		return InvalidSpec("binlogRetention", "binlogRetention %q is not a duration from 1h to 2376h (99 days) in whole seconds: pass e.g. --binlog-retention %s", s.BinlogRetention, defaultBinlogRetention)
	}
	return nil
}

// minMaxReadLag and maxMaxReadLag bound maxReadLag: below a few seconds a
// replica would leave the read Service at every probe's hiccup.
const (
	minMaxReadLag = 5 * time.Second
	maxMaxReadLag = 24 * time.Hour
)

func (s Spec) validateMaxReadLag() error {
	d, err := time.ParseDuration(s.MaxReadLag)
	if err != nil || d < minMaxReadLag || d > maxMaxReadLag || d%time.Second != 0 {
		return InvalidSpec("maxReadLag", "maxReadLag %q is not a duration from 5s to 24h in whole seconds: pass e.g. --max-read-lag %s", s.MaxReadLag, defaultMaxReadLag)
	}
	return nil
}

// MaxReadLagSeconds is MaxReadLag in seconds (of a valid spec).
func (s Spec) MaxReadLagSeconds() int64 {
	d, _ := time.ParseDuration(s.MaxReadLag)
	return int64(d / time.Second)
}

// BinlogRetentionSeconds is BinlogRetention in seconds (of a valid spec).
func (s Spec) BinlogRetentionSeconds() int64 {
	d, _ := time.ParseDuration(s.BinlogRetention)
	return int64(d / time.Second)
}

// Values of the spec key tls.
const (
	tLSRequired  = "required"
	tLSPreferred = "preferred"
)

func (s Spec) validateTLS() error {
	if s.TLS != tLSRequired && s.TLS != tLSPreferred {
		return InvalidSpec("tls", "tls %q is neither required nor preferred: pass --tls required (clients without TLS are refused) or --tls preferred", s.TLS)
	}
	return nil
}

func (s Spec) validateNetworkPolicy() error {
	if s.NetworkPolicy != "true" && s.NetworkPolicy != "false" {
		return InvalidSpec("networkPolicy", "networkPolicy %q is neither true nor false: pass --network-policy true or --network-policy false", s.NetworkPolicy)
	}
	return nil
}

// WantsNetworkPolicy tells whether the spec renders a NetworkPolicy.
func (s Spec) WantsNetworkPolicy() bool { return s.NetworkPolicy == "true" }
