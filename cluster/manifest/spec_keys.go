package manifest

import (
	"fmt"
	"strconv"
	"strings"
)

// SpecKey is one key of the spec. Its name is the config file's key; the
// command line makes a flag (kebab-case) and an environment variable
// (MYSQLCTL_<KEY>) of it. Keys are constants, so a misspelt one does not
// compile.
type SpecKey int

// The spec's keys, in help order.
const (
	KeyName SpecKey = iota
	KeyReplicas
	KeyFlavor
	KeyVersion
	KeyImage
	KeyBackupImage
	KeyStorage
	KeyStorageClass
	KeyCPU
	KeyMemory
	KeyBinlogRetention
	KeyMaxReadLag
	KeyTLS
	KeyNetworkPolicy
	KeySemiSync
	KeySemiSyncTimeout
	KeyMetrics
	KeyMetricsImage
	KeyMetricsFrom
	numSpecKeys
)

// SpecKeyRow is a key's row in the table: its name, the default the
// command line shows ("" when it follows the flavour), its help, and how
// a value given as text reaches the Spec field.
type SpecKeyRow struct {
	Key     SpecKey
	Name    string
	Default string
	Usage   string
	// set stores a value given as text in its field, refusing one that is
	// not even of the field's kind; Spec.Validate judges the rest.
	set func(s *Spec, value string) error
	// get is the field's value as text.
	get func(s Spec) string
}

// Set stores value in the row's field of s.
func (r SpecKeyRow) Set(s *Spec, value string) error { return r.set(s, value) }

// Get is the row's field of s as text.
func (r SpecKeyRow) Get(s Spec) string { return r.get(s) }

// SpecKeys is the table of every spec key, in help order: the one place a
// key is declared. namespace is not among them: it says where a cluster
// is, not what it is.
func SpecKeys() []SpecKeyRow {
	d := DefaultSpec()
	return []SpecKeyRow{
		text(KeyName, "name", d.Name, "name of the cluster: its StatefulSet, Services and pods <name>-0, <name>-1, ...", func(s *Spec) *string { return &s.Name }),
		{Key: KeyReplicas, Name: "replicas", Default: strconv.Itoa(int(d.Replicas)), Usage: "number of servers: pod 0 is the primary, the others read-only replicas",
			set: setReplicas, get: func(s Spec) string { return strconv.Itoa(int(s.Replicas)) }},
		{Key: KeyFlavor, Name: "flavor", Default: string(d.Flavor), Usage: "server family: mysql, mariadb or mysql57",
			set: func(s *Spec, v string) error { s.Flavor = Flavor(v); return nil }, get: func(s Spec) string { return string(s.Flavor) }},
		text(KeyVersion, "version", "", "server version (default: mysql 8.4, mariadb 10.11, mysql57 5.7)", func(s *Spec) *string { return &s.Version }),
		text(KeyImage, "image", "", "server image (default: follows flavor and version, e.g. mysql:8.4)", func(s *Spec) *string { return &s.Image }),
		text(KeyBackupImage, "backupImage", "", "image of the clone and sidecar containers (default: the server image; mysql57: "+DefaultXtrabackupImage+")", func(s *Spec) *string { return &s.BackupImage }),
		text(KeyStorage, "storage", d.StorageSize, "size of each server's data volume", func(s *Spec) *string { return &s.StorageSize }),
		text(KeyStorageClass, "storageClass", "", "StorageClass of the data volumes (default: the cluster's default class)", func(s *Spec) *string { return &s.StorageClass }),
		text(KeyCPU, "cpu", d.CPURequest, "CPU requested by each server", func(s *Spec) *string { return &s.CPURequest }),
		text(KeyMemory, "memory", d.MemoryRequest, "memory requested by each server", func(s *Spec) *string { return &s.MemoryRequest }),
		text(KeyBinlogRetention, "binlogRetention", d.BinlogRetention, "how long servers keep binary logs (a replica away longer is cloned again)", func(s *Spec) *string { return &s.BinlogRetention }),
		text(KeyMaxReadLag, "maxReadLag", d.MaxReadLag, "how stale a replica may be and still serve reads through <name>-read", func(s *Spec) *string { return &s.MaxReadLag }),
		text(KeyTLS, "tls", d.TLS, "clients' TLS: required (the servers refuse plain connections) or preferred; replication and clones always use TLS", func(s *Spec) *string { return &s.TLS }),
		text(KeyNetworkPolicy, "networkPolicy", d.NetworkPolicy, "true: a NetworkPolicy lets only the cluster's pods reach the clone port (needs a network plugin that enforces policies)", func(s *Spec) *string { return &s.NetworkPolicy }),
		{Key: KeySemiSync, Name: "semiSync", Default: d.SemiSync, Usage: "semi-synchronous replication: off; on (a commit waits for a replica's acknowledgement, and falls back to asynchronous after semiSyncTimeout); strict (never falls back: writes wait while no replica acknowledges)",
			set: setSemiSync, get: func(s Spec) string { return s.SemiSync }},
		text(KeySemiSyncTimeout, "semiSyncTimeout", d.SemiSyncTimeout, "with semiSync on, how long a commit waits for an acknowledgement before the primary falls back to asynchronous replication", func(s *Spec) *string { return &s.SemiSyncTimeout }),
		text(KeyMetrics, "metrics", d.Metrics, "true: every server pod runs the Prometheus mysqld_exporter on port "+strconv.Itoa(PortMetrics)+" (and a PodMonitor and alerting rules where the Prometheus Operator runs)", func(s *Spec) *string { return &s.Metrics }),
		text(KeyMetricsImage, "metricsImage", d.MetricsImage, "image of the metrics exporter", func(s *Spec) *string { return &s.MetricsImage }),
		text(KeyMetricsFrom, "metricsFrom", "", "with networkPolicy true, the namespace whose pods may scrape the metrics (default: any)", func(s *Spec) *string { return &s.MetricsFrom }),
	}
}

// text is the row of a key whose field is a string.
func text(k SpecKey, name, def, usage string, field func(*Spec) *string) SpecKeyRow {
	return SpecKeyRow{Key: k, Name: name, Default: def, Usage: usage,
		set: func(s *Spec, v string) error { *field(s) = v; return nil },
		get: func(s Spec) string { return *field(&s) }}
}

// setReplicas reads a replica count from a flag, variable or file value.
func setReplicas(s *Spec, v string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil || n < 1 {
		return InvalidSpec("replicas", "replicas must be a whole number ≥ 1, got %q: pass --replicas 1 or more", v)
	}
	s.Replicas = int32(n)
	return nil
}

// setSemiSync stores semiSync. YAML reads a bare off or on in a config
// file as a boolean, which reaches here as "false" or "true".
func setSemiSync(s *Spec, v string) error {
	switch v {
	case "false":
		v = SemiSyncOff
	case "true":
		v = SemiSyncOn
	}
	s.SemiSync = v
	return nil
}

// String is the key's name in the config file.
func (k SpecKey) String() string {
	for _, r := range SpecKeys() {
		if r.Key == k {
			return r.Name
		}
	}
	return fmt.Sprintf("SpecKey(%d)", int(k))
}

// Given is the set of keys a user gave explicitly (by flag, environment or
// file) rather than left to their defaults. On a running cluster every
// other key keeps the value that runs.
type Given map[SpecKey]bool

// Has says whether k was given.
func (g Given) Has(k SpecKey) bool { return g[k] }
