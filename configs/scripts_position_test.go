package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupPosition feeds position.sh the files backup tools write. The
// MariaDB samples are the exact bytes mariadb-backup 10.11.19 wrote in a
// clone from a replica (see docs/flavours.md, "Hot clones").
func TestBackupPosition(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string
		fromReplica string
		want        string // "" means the script must fail
	}{
		{"mariadb primary, three columns", map[string]string{
			"xtrabackup_binlog_info": "mysql-bin.000001\t328\t0-100-9\n"},
			"no", "binlog_file=mysql-bin.000001\nbinlog_pos=328\ngtid=0-100-9\n"},
		{"mariadb 11.1+ file name", map[string]string{
			"mariadb_backup_binlog_info": "mysql-bin.000004\t1024\t0-100-12,1-101-3\n"},
			"no", "binlog_file=mysql-bin.000004\nbinlog_pos=1024\ngtid=0-100-12,1-101-3\n"},
		{"mariadb replica donor", map[string]string{
			"xtrabackup_binlog_info": "mysql-bin.000001\t328\t0-100-9\n",
			"xtrabackup_slave_info":  "SET GLOBAL gtid_slave_pos = '0-100-9';\nCHANGE MASTER TO master_use_gtid = slave_pos;\n"},
			"yes", "gtid=0-100-9\n"},
		{"mariadb 11.1+ replica donor", map[string]string{
			"mariadb_backup_slave_info": "SET GLOBAL gtid_slave_pos = '0-100-20';\nCHANGE MASTER TO master_use_gtid = slave_pos;\n"},
			"yes", "gtid=0-100-20\n"},
		{"xtrabackup 2.4 primary, two columns, no newline", map[string]string{
			"xtrabackup_binlog_info": "mysql-bin.000003\t154"},
			"no", "binlog_file=mysql-bin.000003\nbinlog_pos=154\ngtid=\n"},
		{"xtrabackup 2.4 replica donor", map[string]string{
			"xtrabackup_slave_info": "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=154\n"},
			"yes", "binlog_file=mysql-bin.000003\nbinlog_pos=154\n"},
		{"replica donor without slave_info", map[string]string{
			"xtrabackup_binlog_info": "mysql-bin.000001\t328\t0-101-2\n"}, "yes", ""},
		{"garbage binlog_info", map[string]string{"xtrabackup_binlog_info": "oops\n"}, "no", ""},
		{"no files", map[string]string{}, "no", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runBash(t, `source "$S/lib.sh"; source "$S/position.sh"; backup_position "$D" "$R" 2>/dev/null`,
				"D="+dir, "R="+tt.fromReplica)
			if tt.want == "" {
				if err == nil {
					t.Errorf("backup_position succeeded with %q, want a failure", out)
				}
				return
			}
			if err != nil || out != tt.want {
				t.Errorf("backup_position = %q (%v), want %q", out, err, tt.want)
			}
		})
	}
}

// TestStatusField reads replica status by column name from vertical output.
func TestStatusField(t *testing.T) {
	status := "*************************** 1. row ***************************\n" +
		"               Slave_IO_State: Waiting for master to send event\n" +
		"                  Master_Host: mysql-0.mysql\n" +
		"             Slave_IO_Running: Yes\n" +
		"                Last_IO_Error: error: reconnecting: a: b\n" +
		"        Seconds_Behind_Master: NULL\n"
	for field, want := range map[string]string{
		"Master_Host": "mysql-0.mysql", "Slave_IO_Running": "Yes", "Seconds_Behind_Master": "NULL",
		"Last_IO_Error": "error: reconnecting: a: b", "Slave_SQL_Running": "",
	} {
		out, err := runBash(t, `source "$S/lib.sh"; status_field "$F" <<<"$STATUS"`, "F="+field, "STATUS="+status)
		if err != nil || strings.TrimSuffix(out, "\n") != want {
			t.Errorf("status_field %s = %q (%v), want %q", field, out, err, want)
		}
	}
}
