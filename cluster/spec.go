// Package cluster is mysqlctl's domain: the validated spec of a replicated
// MySQL, the Kubernetes objects built from it, and the use cases (up, scale,
// status, check, down) that act on a live cluster through the kube and sql
// packages. It prints nothing and knows no command line.
package cluster

// Flavor is the server family and image set a cluster runs.
type Flavor string

// The flavours mysqlctl can build.
const (
	FlavorMySQL   Flavor = "mysql"   // MySQL 8.4 LTS (8.0 allowed), official image
	FlavorMariaDB Flavor = "mariadb" // official mariadb image
	FlavorMySQL57 Flavor = "mysql57" // the tutorial's mysql:5.7-debian + xtrabackup 2.4
)

// Spec is the declarative description of one cluster.
type Spec struct {
	Name          string `json:"name"`
	Namespace     string `json:"namespace,omitempty"`
	Replicas      int32  `json:"replicas"`
	Flavor        Flavor `json:"flavor"`
	Version       string `json:"version,omitempty"`
	Image         string `json:"image,omitempty"`
	BackupImage   string `json:"backupImage,omitempty"`
	StorageSize   string `json:"storage,omitempty"`
	StorageClass  string `json:"storageClass,omitempty"`
	CPURequest    string `json:"cpu,omitempty"`
	MemoryRequest string `json:"memory,omitempty"`
}
