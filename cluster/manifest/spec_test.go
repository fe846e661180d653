package manifest

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultSpec(t *testing.T) {
	got := DefaultSpec()
	want := Spec{Name: "mysql", Replicas: 3, Flavor: FlavorMySQL, Version: "8.4", Image: "mysql:8.4",
		StorageSize: "10Gi", CPURequest: "100m", MemoryRequest: "256Mi", BinlogRetention: "168h", MaxReadLag: "30s",
		TLS: "preferred", NetworkPolicy: "false", SemiSync: "off", SemiSyncTimeout: "10s",
		Metrics: "false", MetricsImage: DefaultMetricsImage}
	if got != want {
		t.Errorf("DefaultSpec() = %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("DefaultSpec().Validate() = %v", err)
	}
}

func TestWithDefaultsFollowsTheFlavour(t *testing.T) {
	tests := []struct {
		in                          Spec
		version, image, backupImage string
	}{
		{Spec{Flavor: FlavorMySQL}, "8.4", "mysql:8.4", ""},
		{Spec{Flavor: FlavorMySQL, Version: "8.0"}, "8.0", "mysql:8.0", ""},
		{Spec{Flavor: FlavorMariaDB}, "10.11", "mariadb:10.11", ""},
		{Spec{Flavor: FlavorMariaDB, Version: "11.4"}, "11.4", "mariadb:11.4", ""},
		{Spec{Flavor: FlavorMySQL57}, "5.7", "mysql:5.7.44", DefaultXtrabackupImage},
		{Spec{Flavor: FlavorMySQL57, Version: "5.7.42"}, "5.7.42", "mysql:5.7.42", DefaultXtrabackupImage},
		{Spec{Flavor: FlavorMariaDB, Image: "localhost/mariadb:test"}, "10.11", "localhost/mariadb:test", ""},
	}
	for _, tt := range tests {
		got := tt.in.WithDefaults()
		if got.Version != tt.version || got.Image != tt.image || got.BackupImage != tt.backupImage {
			t.Errorf("%+v.WithDefaults() = version %q image %q backup %q, want %q %q %q",
				tt.in, got.Version, got.Image, got.BackupImage, tt.version, tt.image, tt.backupImage)
		}
	}
	if r := (Spec{}).WithDefaults().Replicas; r != 0 {
		t.Errorf("WithDefaults turned replicas 0 into %d: Validate must see the 0", r)
	}
}

func TestToolsImage(t *testing.T) {
	if got := DefaultSpec().ToolsImage(); got != "mysql:8.4" {
		t.Errorf("mysql tools image = %q", got)
	}
	if got := (Spec{Flavor: FlavorMySQL57}).WithDefaults().ToolsImage(); got != DefaultXtrabackupImage {
		t.Errorf("mysql57 tools image = %q", got)
	}
}

// The mysql57 defaults are images a current cluster can pull: not the
// tutorial's gcr.io/google-samples/xtrabackup:1.0, whose Docker schema-1
// manifest containerd 2.0 refuses by default and 2.1 can no longer read
// (https://github.com/kubernetes/website/issues/47347,
// https://github.com/containerd/containerd/pull/9765), and pinned: 5.7.44
// is the last MySQL 5.7 release, 2.4.29 the last XtraBackup 2.4 release.
// configs/images has what each image holds; docs/images.md the sources.
func TestMySQL57DefaultsArePullablePins(t *testing.T) {
	s := (Spec{Flavor: FlavorMySQL57}).WithDefaults()
	if s.ServerImage() != "mysql:5.7.44" || s.ToolsImage() != "percona/percona-xtrabackup:2.4.29" {
		t.Errorf("mysql57 images = %q, %q; want mysql:5.7.44, percona/percona-xtrabackup:2.4.29", s.ServerImage(), s.ToolsImage())
	}
	for _, image := range []string{s.ServerImage(), s.ToolsImage()} {
		if strings.HasPrefix(image, "gcr.io/google-samples/") || strings.HasSuffix(image, "-debian") {
			t.Errorf("mysql57 default image %s: schema-1 tutorial image or the Debian variant that stopped at 5.7.42", image)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Spec)
		field  string // "" means valid
		hint   string // part of the message that says what to do
	}{
		{"default", func(*Spec) {}, "", ""},
		{"replicas 0", func(s *Spec) { s.Replicas = 0 }, "replicas", "replicas must be a whole number ≥ 1, got 0: pass --replicas 1 or more"},
		{"replicas -2", func(s *Spec) { s.Replicas = -2 }, "replicas", "got -2"},
		{"replicas 1", func(s *Spec) { s.Replicas = 1 }, "", ""},
		{"uppercase name", func(s *Spec) { s.Name = "MySQL" }, "name", "e.g. --name mysql"},
		{"name with digit first", func(s *Spec) { s.Name = "1db" }, "name", "starting with a letter"},
		{"name 52 long", func(s *Spec) { s.Name = "a" + strings.Repeat("b", 51) }, "", ""},
		{"name 53 long", func(s *Spec) { s.Name = "a" + strings.Repeat("b", 52) }, "name", "at most 52"},
		{"unknown flavour", func(s *Spec) { s.Flavor = "postgres" }, "flavor", "pass --flavor mysql, mariadb or mysql57"},
		{"mysql 5.6", func(s *Spec) { s.Version = "5.6" }, "version", "pass --version 8.4, 9.7 or 8.0"},
		{"mysql 8.0.22", func(s *Spec) { s.Version = "8.0.22" }, "version", "8.0.23 or later"},
		{"mysql 8.0.36", func(s *Spec) { s.Version = "8.0.36" }, "", ""},
		{"mysql 8.4.3", func(s *Spec) { s.Version = "8.4.3" }, "", ""},
		{"mysql 9.7.4", func(s *Spec) { s.Version = "9.7.4" }, "", ""},
		{"mysql 9.7", func(s *Spec) { s.Version = "9.7" }, "", ""},
		{"mysql 9.1, an innovation release", func(s *Spec) { s.Version = "9.1" }, "version", "8.4, 9.7 or 8.0"},
		{"mariadb 10.6", func(s *Spec) { s.Flavor, s.Version = FlavorMariaDB, "10.6" }, "version", "10.11 or later"},
		{"mariadb 11.4", func(s *Spec) { s.Flavor, s.Version = FlavorMariaDB, "11.4" }, "", ""},
		{"mysql57 8.0", func(s *Spec) { s.Flavor, s.Version = FlavorMySQL57, "8.0" }, "version", "--version 5.7"},
		{"tag as version", func(s *Spec) { s.Version = "8.4-oracle" }, "version", "--version"},
		{"bad storage", func(s *Spec) { s.StorageSize = "10 GB" }, "storage", "e.g. --storage 10Gi"},
		{"image with a capital", func(s *Spec) { s.Image = "MySQL:8.4" }, "image", "not an image reference"},
		{"image with two tags", func(s *Spec) { s.Image = "mysql:8.4:latest" }, "image", "not an image reference"},
		{"binlog retention of a minute", func(s *Spec) { s.BinlogRetention = "1m" }, "binlogRetention", "--binlog-retention 168h"},
		{"binlog retention in days", func(s *Spec) { s.BinlogRetention = "7d" }, "binlogRetention", "from 1h to 2376h"},
		{"binlog retention of a year", func(s *Spec) { s.BinlogRetention = "8760h" }, "binlogRetention", "99 days"},
		{"binlog retention of 2 days", func(s *Spec) { s.BinlogRetention = "48h" }, "", ""},
		{"zero storage", func(s *Spec) { s.StorageSize = "0" }, "storage", "positive"},
		{"bad cpu", func(s *Spec) { s.CPURequest = "lots" }, "cpu", "--cpu 100m"},
		{"bad memory", func(s *Spec) { s.MemoryRequest = "1 GB" }, "memory", "--memory 256Mi"},
		{"bad storage class", func(s *Spec) { s.StorageClass = "Fast SSD" }, "storageClass", "kubectl get storageclass"},
		{"image with space", func(s *Spec) { s.Image = "mysql 8" }, "image", "--image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSpec()
			tt.change(&s)
			err := s.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var invalid *InvalidSpecError
			if !errors.As(err, &invalid) {
				t.Fatalf("Validate() = %v (%T), want *InvalidSpecError", err, err)
			}
			if invalid.Field != tt.field || !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("Validate() = field %q %q, want field %q containing %q", invalid.Field, err, tt.field, tt.hint)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message spans lines: %q", err)
			}
		})
	}
}

func TestNames(t *testing.T) {
	got := []string{PodName("db", 2), PVCName("db", 2), PodHost("db", 0), SecretName("db"),
		ConfigMapName("db"), ReadServiceName("db"), HeadlessServiceName("db"), StatefulSetName("db"),
		PodSelector("db")}
	want := []string{"db-2", "data-db-2", "db-0.db", "db-credentials", "db-config", "db-read", "db", "db",
		"app.kubernetes.io/instance=db,app.kubernetes.io/name=mysql"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestValidateNamespace(t *testing.T) {
	for ns, ok := range map[string]bool{"": true, "db": true, "My_NS": false, "-db": false} {
		err := ValidateNamespace(ns)
		if (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "--namespace")) {
			t.Errorf("ValidateNamespace(%q) = %v, want ok=%v with a hint", ns, err, ok)
		}
	}
}
