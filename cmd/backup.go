package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/mysqlctl/mysqlctl/cluster"
)

type backupOptions struct {
	output, from, verify string
	timeout              time.Duration
}

func newBackupCommand(g *globalOptions) *cobra.Command {
	o := &backupOptions{}
	cmd := &cobra.Command{
		Use:   "backup -o FILE | --verify FILE",
		Short: "Stream a consistent hot backup of the running cluster to a file, or verify one",
		Long: `Stream a consistent hot backup of one server (by default the replica that
replicates and is least behind, else the primary) through the Kubernetes API
to a file on this machine: the flavour's backup tool (mariadb-backup,
XtraBackup) runs in the server's sidecar and nothing stays in the pod. The
file records the flavour, version, source, binary log position (and GTID)
and a SHA-256 of the backup; --verify checks it without a cluster.
The file is written as FILE.partial and renamed when complete; an existing
FILE is never overwritten.`,
		Example: `  # A backup of the least-behind replica
  mysqlctl backup -o shop.backup

  # From a chosen pod, to another program
  mysqlctl backup --from mysql-2 -o - | gzip > shop.backup.gz

  # Check a backup file
  mysqlctl backup --verify shop.backup`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, g) },
	}
	addSpecFlags(cmd, nameKeys...)
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "the backup file to write (- for standard output)")
	cmd.Flags().StringVar(&o.from, "from", "", "the pod to back up (default: the replica least behind, else the primary)")
	mustCompleteFlag(cmd, "from", completeNames(g, podNames))
	cmd.Flags().StringVar(&o.verify, "verify", "", "check a backup file (no cluster needed) instead of taking one")
	cmd.Flags().DurationVar(&o.timeout, "timeout", time.Hour, "how long the whole backup may take")
	return cmd
}

func (o *backupOptions) run(cmd *cobra.Command, g *globalOptions) error {
	switch {
	case o.verify != "" && (o.output != "" || o.from != ""):
		return usageError(errors.New("--verify checks a file: it takes neither -o nor --from"))
	case o.verify != "":
		return o.runVerify(g)
	case o.output == "":
		return usageError(errors.New("backup needs -o FILE (or -o - for standard output), or --verify FILE"))
	}
	out, done, err := o.open(g)
	if err != nil {
		return err
	}
	s, err := openSession(cmd, g, sessionOptions{timeout: o.timeout})
	if err != nil {
		done(false)
		return err
	}
	defer s.cancel()
	progress := newByteProgress(g)
	info, err := s.cluster.Backup(s.ctx, cluster.BackupOptions{From: o.from, Out: out, Copied: progress.update})
	progress.end()
	if err := done(err == nil); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	report := g.streams.Out
	if o.output == "-" {
		report = g.streams.ErrOut
	}
	fmt.Fprintf(report, "backup of %s written to %s: %s\n", info.Source, o.output, describeBackup(info))
	return nil
}

// open returns where the backup goes and a function that completes it:
// FILE.partial renamed to FILE on success, removed otherwise.
func (o *backupOptions) open(g *globalOptions) (io.Writer, func(ok bool) error, error) {
	if o.output == "-" {
		return g.streams.Out, func(bool) error { return nil }, nil
	}
	if _, err := os.Lstat(o.output); err == nil {
		return nil, nil, usageError(fmt.Errorf("%s exists: choose another -o (a backup never overwrites a file)", o.output))
	}
	partial := o.output + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, usageError(fmt.Errorf("cannot create %s: %v", partial, err))
	}
	return f, func(ok bool) error {
		err := f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if !ok || err != nil {
			os.Remove(partial)
			return err
		}
		if err := os.Rename(partial, o.output); err != nil {
			return err
		}
		if d, err := os.Open(filepath.Dir(o.output)); err == nil {
			_ = d.Sync() // the rename survives a crash of this machine
			d.Close()
		}
		return nil
	}, nil
}

func (o *backupOptions) runVerify(g *globalOptions) error {
	info, err := cluster.VerifyBackup(o.verify)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.streams.Out, "%s is a complete backup of %s: %s\n", o.verify, info.Source, describeBackup(info))
	return nil
}

func describeBackup(info *cluster.BackupInfo) string {
	pos := "position unknown"
	if info.BinlogFile != "" {
		pos = fmt.Sprintf("binlog %s:%d", info.BinlogFile, info.BinlogPos)
	}
	if info.GTID != "" {
		pos += ", GTID " + info.GTID
	}
	return fmt.Sprintf("%s %s of cluster %s (namespace %s), %s, %s, taken %s, SHA-256 %s",
		info.Flavor, info.Version, info.Cluster, info.Namespace, humanBytes(info.PayloadBytes), pos,
		info.StartedAt.Format(time.RFC3339), info.SHA256)
}
