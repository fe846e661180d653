package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Real --version lines of the servers (official images and Debian's
// packages), one per family and packaging.
const (
	mysql84Version   = "/usr/sbin/mysqld  Ver 8.4.3 for Linux on x86_64 (MySQL Community Server - GPL)"
	mysql97Version   = "/usr/sbin/mysqld  Ver 9.7.4-2 for Linux on x86_64 ((Debian))"
	mysql57Version   = "mysqld  Ver 5.7.44 for Linux on x86_64 (MySQL Community Server (GPL))"
	mariadb11Version = "/usr/sbin/mariadbd  Ver 10.11.14-MariaDB-0+deb12u2 for debian-linux-gnu on x86_64 (Debian 12)"
)

// fakeServer writes a program named as the image names its server, which
// prints line for --version (none for an empty line, as in an image without
// that binary), and returns a PATH that finds it and the tools of /usr/bin,
// but not the servers a test machine may have in /usr/sbin.
func fakeServer(t *testing.T, name, line string) string {
	t.Helper()
	dir := t.TempDir()
	if line != "" {
		script := "#!/bin/sh\necho '" + line + "'\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir + ":/usr/bin:/bin"
}

// TestInitConfigChecksTheServerImage: an image whose server is not the
// flavour or the version of the spec stops the pod with one ERROR line
// that says what to pass, before any cnf is written (the server never
// opens the volume); a matching one passes and says what it found.
func TestInitConfigChecksTheServerImage(t *testing.T) {
	tests := []struct {
		name, flavor, version, binary, line string
		refusal                             string // "" when the image fits
	}{
		{"mysql 8.4", "mysql", "8.4", "mysqld", mysql84Version, ""},
		{"mysql 8.4.3 exactly", "mysql", "8.4.3", "mysqld", mysql84Version, ""},
		{"mysql 9.7 from Debian", "mysql", "9.7", "mysqld", mysql97Version, ""},
		{"mysql57", "mysql57", "5.7", "mysqld", mysql57Version, ""},
		{"mariadb", "mariadb", "10.11", "mariadbd", mariadb11Version, ""},
		{"mariadb 10 image for mysql", "mysql", "8.4", "mysqld", mariadb11Version, "the image runs mariadb 10.11.14, not mysql: pass an --image of mysql 8.4, or --flavor mariadb"},
		{"mysql image for mariadb", "mariadb", "10.11", "mariadbd", "", "the image has no mariadbd: it is no mariadb image; pass an --image of mariadb 10.11"},
		{"mysql server named mariadbd", "mariadb", "10.11", "mariadbd", mysql84Version, "the image runs mysql 8.4.3, not mariadb"},
		{"9.7 image for 8.4", "mysql", "8.4", "mysqld", mysql97Version, "the image runs mysql 9.7.4, not version 8.4: pass --version 9.7 with this image"},
		{"8.4.3 image for 8.4.4", "mysql", "8.4.4", "mysqld", mysql84Version, "not version 8.4.4"},
		{"8.4 image for 8.40", "mysql", "8.40", "mysqld", mysql84Version, "not version 8.40"},
		{"no version line", "mysql", "8.4", "mysqld", "mysqld: unknown option", "cannot read the server version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confDir, configDir, record := t.TempDir(), t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(record, "primary"), "mysql-0\n")
			cnf, err := ServerConfig(tt.flavor)
			if err != nil {
				t.Fatal(err)
			}
			for name, text := range cnf {
				writeFile(t, filepath.Join(configDir, name), text)
			}
			out, err := runBash(t, `bash "$S/init-config.sh"`, "PATH="+fakeServer(t, tt.binary, tt.line),
				"FLAVOR="+tt.flavor, "SERVER_VERSION="+tt.version, "HOSTNAME=mysql-1", "BINLOG_EXPIRE_SECONDS=3600",
				"CONFIG_DIR="+configDir, "CONF_DIR="+confDir, "CLUSTER_STATE_DIR="+record)
			entries, _ := os.ReadDir(confDir)
			if tt.refusal == "" {
				if err != nil || !strings.Contains(out, "the image runs ") {
					t.Fatalf("init-config.sh refused a fitting image: %v\n%s", err, out)
				}
				if len(entries) == 0 {
					t.Error("init-config.sh wrote no cnf for a fitting image")
				}
				return
			}
			if err == nil || !strings.Contains(out, "ERROR: ") || !strings.Contains(out, tt.refusal) || strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Errorf("init-config.sh: err %v, output %q: want one ERROR line with %q", err, out, tt.refusal)
			}
			if len(entries) != 0 {
				t.Errorf("init-config.sh wrote %d files before refusing", len(entries))
			}
		})
	}
}
