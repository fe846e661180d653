package cluster

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

func writeTestBackup(t *testing.T, payload []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w, err := newBackupWriter(&buf, BackupHeader{Flavor: manifest.FlavorMariaDB, Version: "10.11", Cluster: "mysql", Namespace: "db",
		Source: "mysql-1", Stream: "mbstream", StartedAt: time.Unix(1, 0).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(payload); err != nil {
		t.Fatal(err)
	}
	if _, err := w.finish(BackupTrailer{BinlogFile: "mysql-bin.000002", BinlogPos: 660, GTID: "0-100-2"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, buf.Bytes()
}

// A backup verifies as written; any changed byte, in the header, the
// payload or the trailer, and a truncated file, fail verification.
func TestVerifyBackupCatchesEveryChangedByte(t *testing.T) {
	payload := bytes.Repeat([]byte("xbstream chunk "), 1000)
	path, raw := writeTestBackup(t, payload)
	info, err := VerifyBackup(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.PayloadBytes != int64(len(payload)) || info.Source != "mysql-1" || info.GTID != "0-100-2" || info.BinlogPos != 660 {
		t.Errorf("info %+v", info)
	}
	for _, at := range []int{3, len(backupMagic) + 5, len(raw) / 2, len(raw) - footerLength - 5, len(raw) - 3} {
		bad := bytes.Clone(raw)
		bad[at] ^= 0x20
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyBackup(path); !errors.Is(err, ErrBackupCorrupt) {
			t.Errorf("byte %d of %d changed: %v, want ErrBackupCorrupt", at, len(raw), err)
		}
	}
	if err := os.WriteFile(path, raw[:len(raw)-100], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBackup(path); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("truncated: %v", err)
	}
}

// The position comes from the backup tool's own report.
func TestBackupPosition(t *testing.T) {
	maria := "[00] 2026-12-01 16:23:03 MySQL binlog position: filename 'mysql-bin.000002', position '660', GTID of the last change '0-100-2'"
	if p := backupPosition(maria); p.BinlogFile != "mysql-bin.000002" || p.BinlogPos != 660 || p.GTID != "0-100-2" {
		t.Errorf("mariadb-backup: %+v", p)
	}
	xtra := "xtrabackup: MySQL binlog position: filename 'mysql-bin.000003', position '154'"
	if p := backupPosition(xtra); p.BinlogFile != "mysql-bin.000003" || p.BinlogPos != 154 || p.GTID != "" {
		t.Errorf("xtrabackup: %+v", p)
	}
}
