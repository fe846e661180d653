// Package manifest is what a cluster should be, without a cluster: the spec
// of a replicated MySQL (its keys, defaults and validation), what a running
// StatefulSet says of the spec it was made from, and the Kubernetes objects
// built from a spec. It is pure: nothing here reads or writes a cluster, so
// all of it is tested without one.
package manifest

import "github.com/distribution/reference"

// Flavor is the server family and image set a cluster runs.
type Flavor string

// The flavours mysqlctl can build.
const (
	FlavorMySQL   Flavor = "mysql"   // MySQL 8.4 LTS (8.0 allowed), official image
	FlavorMariaDB Flavor = "mariadb" // official mariadb image
	FlavorMySQL57 Flavor = "mysql57" // MySQL 5.7.44, the last 5.7 release, + XtraBackup 2.4
)

// Flavors lists the known flavours in the order help texts show them.
func Flavors() []Flavor { return []Flavor{FlavorMySQL, FlavorMariaDB, FlavorMySQL57} }

// Spec is the declarative description of one cluster. The json names are the
// keys of the config file; empty strings mean "the default" (see WithDefaults).
type Spec struct {
	Name          string `json:"name"`
	Replicas      int32  `json:"replicas"`
	Flavor        Flavor `json:"flavor"`
	Version       string `json:"version,omitempty"`
	Image         string `json:"image,omitempty"`
	BackupImage   string `json:"backupImage,omitempty"`
	StorageSize   string `json:"storage,omitempty"`
	StorageClass  string `json:"storageClass,omitempty"`
	CPURequest    string `json:"cpu,omitempty"`
	MemoryRequest string `json:"memory,omitempty"`
	// BinlogRetention is how long servers keep their binary logs (a Go
	// duration, e.g. 168h). A replica that is away longer must be cloned
	// again; a volume never fills with binlogs.
	BinlogRetention string `json:"binlogRetention,omitempty"`
	// MaxReadLag is how stale a replica's data may be while it serves
	// reads through <name>-read (a Go duration): a replica further behind,
	// or cut off from its source for longer, is not ready and leaves it.
	MaxReadLag string `json:"maxReadLag,omitempty"`
	// TLS decides whether clients must use TLS: "required" (the servers
	// refuse any other connection) or "preferred" (TLS is offered, and
	// mysqlctl always uses it). Replication and clones use TLS whatever it
	// says.
	TLS string `json:"tls,omitempty"`
	// NetworkPolicy "true" renders a NetworkPolicy: only the cluster's own
	// pods reach the clone port, clients reach 3306. Off by default: not
	// every cluster's network plugin enforces policies.
	NetworkPolicy string `json:"networkPolicy,omitempty"`
	// SemiSync is "off", "on" (the primary acknowledges a commit once a
	// replica has received it, and falls back to asynchronous replication
	// when none acknowledges within SemiSyncTimeout) or "strict" (it never
	// falls back: writes wait while no replica acknowledges).
	SemiSync        string `json:"semiSync,omitempty"`
	SemiSyncTimeout string `json:"semiSyncTimeout,omitempty"`
	// Metrics "true" adds the Prometheus mysqld_exporter to every server
	// pod (spec_metrics.go); MetricsImage is its image and MetricsFrom the
	// namespace the NetworkPolicy admits scrapes from ("" any).
	Metrics      string `json:"metrics,omitempty"`
	MetricsImage string `json:"metricsImage,omitempty"`
	MetricsFrom  string `json:"metricsFrom,omitempty"`
}

// Defaults of a spec. Requests are small on purpose: five pods must fit on a
// 2-CPU node, where the tutorial's 500m+100m per pod left the 4th Pending.
const (
	defaultName          = "mysql"
	DefaultReplicas      = 3
	defaultFlavor        = FlavorMySQL
	defaultStorageSize   = "10Gi"
	defaultCPURequest    = "100m"
	defaultMemoryRequest = "256Mi"
	// defaultBinlogRetention keeps a week of binary logs: a replica down
	// over a long weekend still catches up without a new clone.
	defaultBinlogRetention = "168h"
	// defaultMaxReadLag lets replicas keep serving reads through a primary
	// restart (seconds, far longer after a crash with a large redo log),
	// and takes away one that falls half a minute behind.
	defaultMaxReadLag = "30s"
	// defaultTLS offers clients TLS without requiring it: applications
	// written for the tutorial's plain connections keep working, and a
	// cluster that must refuse them says tls: required.
	defaultTLS = tLSPreferred
	// defaultNetworkPolicy renders none.
	defaultNetworkPolicy = "false"
	// defaultSemiSync is off: semi-sync costs every commit a round trip to
	// a replica, and strict can stop writes; a cluster that must not lose
	// an acknowledged write says on or strict (README, "Durability").
	defaultSemiSync = SemiSyncOff
	// defaultSemiSyncTimeout is MariaDB's and MySQL's own default.
	defaultSemiSyncTimeout = "10s"
	// DefaultXtrabackupImage is the image of the mysql57 flavour's clone
	// and sidecar containers: Percona's XtraBackup 2.4.29, the last 2.4
	// release, with the Percona Server 5.7 client and socat. The Kubernetes
	// tutorial's gcr.io/google-samples/xtrabackup:1.0 has a Docker schema-1
	// manifest, which containerd 2.0 refuses and 2.1 no longer reads
	// (kubernetes/website#47347). docs/images.md has the facts and sources.
	DefaultXtrabackupImage = "percona/percona-xtrabackup:2.4.29"
	// mySQL57Release is the tag the mysql57 flavour's version 5.7 runs:
	// 5.7.44, the last 5.7 release (the official image stopped at it).
	mySQL57Release = "5.7.44"
)

// defaultVersion is the server version a flavour runs unless told otherwise.
//   - mysql: 8.4, the LTS series; 8.0 (8.0.23 or later) is allowed.
//   - mariadb: 10.11, the LTS series our local image ships and on which every
//     measurement in docs/flavours.md was made; 11.x is allowed (the clone
//     script reads both names of mariadb-backup's position files).
//   - mysql57: 5.7, the tutorial's series.
func defaultVersion(f Flavor) string {
	switch f {
	case FlavorMariaDB:
		return "10.11"
	case FlavorMySQL57:
		return "5.7"
	default:
		return "8.4"
	}
}

// DefaultSpec is the spec of `mysqlctl up` with no input at all.
func DefaultSpec() Spec {
	return Spec{Replicas: DefaultReplicas}.WithDefaults()
}

// WithDefaults returns s with every empty field set to its default; image
// and version follow the flavour. Replicas is left alone: 0 is a value a user
// can give, and Validate must refuse it rather than silently turn it into 3.
func (s Spec) WithDefaults() Spec {
	if s.Name == "" {
		s.Name = defaultName
	}
	if s.Flavor == "" {
		s.Flavor = defaultFlavor
	}
	if s.Version == "" {
		s.Version = defaultVersion(s.Flavor)
	}
	if s.Image == "" {
		s.Image = defaultImage(s.Flavor, s.Version)
	}
	if s.BackupImage == "" && s.Flavor == FlavorMySQL57 {
		s.BackupImage = DefaultXtrabackupImage
	}
	if s.StorageSize == "" {
		s.StorageSize = defaultStorageSize
	}
	if s.CPURequest == "" {
		s.CPURequest = defaultCPURequest
	}
	if s.MemoryRequest == "" {
		s.MemoryRequest = defaultMemoryRequest
	}
	if s.BinlogRetention == "" {
		s.BinlogRetention = defaultBinlogRetention
	}
	if s.MaxReadLag == "" {
		s.MaxReadLag = defaultMaxReadLag
	}
	if s.TLS == "" {
		s.TLS = defaultTLS
	}
	if s.NetworkPolicy == "" {
		s.NetworkPolicy = defaultNetworkPolicy
	}
	if s.SemiSync == "" {
		s.SemiSync = defaultSemiSync
	}
	if s.SemiSyncTimeout == "" {
		s.SemiSyncTimeout = defaultSemiSyncTimeout
	}
	if s.Metrics == "" {
		s.Metrics = defaultMetrics
	}
	if s.MetricsImage == "" {
		s.MetricsImage = DefaultMetricsImage
	}
	return s
}

// defaultImage is the official image of a flavour and version. mysql57's
// 5.7 is pinned to its last release, 5.7.44, whose only variant is Oracle
// Linux 7 (the Debian variant stopped at 5.7.42); the pod scripts need
// nothing it lacks (configs/images/mysql-5.7.44.txt, checked by a test).
func defaultImage(f Flavor, version string) string {
	switch f {
	case FlavorMariaDB:
		return "mariadb:" + version
	case FlavorMySQL57:
		if version == "5.7" {
			return "mysql:" + mySQL57Release
		}
		return "mysql:" + version
	default:
		return "mysql:" + version
	}
}

// ServerImage is the image of the database container.
func (s Spec) ServerImage() string { return s.Image }

// ToolsImage is the image of the clone init container and the sidecar: the
// server image itself (mariadb ships mariadb-backup and socat, mysql 8 clones
// with its own CLONE plugin) unless BackupImage names another one.
func (s Spec) ToolsImage() string {
	if s.BackupImage != "" {
		return s.BackupImage
	}
	return s.Image
}

// CanonicalImage is the fully qualified form of an image reference
// ("mysql:8.4" is docker.io/library/mysql:8.4), as container runtimes
// report them; ok is false for a string that is not a reference.
func CanonicalImage(image string) (string, bool) {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return "", false
	}
	return reference.TagNameOnly(named).String(), true
}
