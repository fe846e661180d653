package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"sync"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// BackupOptions are the choices of `mysqlctl backup`.
type BackupOptions struct {
	// From is the pod to back up; empty picks the replica that replicates
	// and is least behind, else the primary.
	From string
	// Out receives the backup file.
	Out io.Writer
	// Copied, when set, is called as bytes arrive (for a progress line).
	Copied func(bytes int64)
}

// Backup streams a consistent hot backup of one server through the
// Kubernetes API (exec of the sidecar's backup script, the one that feeds
// new replicas) into a backup file: nothing is written in the pod but the
// backup tool's own temporary files, which it removes.
func (c *Cluster) Backup(ctx context.Context, opts BackupOptions) (*BackupInfo, error) {
	info, err := c.backup(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("backup of %s: %w", c.name, err)
	}
	return info, nil
}

func (c *Cluster) backup(ctx context.Context, opts BackupOptions) (*BackupInfo, error) {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return nil, err
	}
	live := manifest.LiveSpec(sts)
	from, err := c.backupSource(ctx, opts.From, live.Replicas)
	if err != nil {
		return nil, err
	}
	info := &BackupInfo{BackupHeader: BackupHeader{
		Flavor: live.Flavor, Version: live.Version, Cluster: c.name, Namespace: c.Namespace(),
		Source: from, Stream: streamFormat(live.Flavor), StartedAt: c.now().UTC(),
	}}
	w, err := newBackupWriter(opts.Out, info.BackupHeader)
	if err != nil {
		return nil, err
	}
	c.say(fmt.Sprintf("streaming a hot backup of %s", from))
	var out io.Writer = w
	if opts.Copied != nil {
		out = &countingWriter{w: w, copied: opts.Copied}
	}
	stderr := &tailBuffer{max: 64 << 10}
	err = c.api.Exec(ctx, from, manifest.ContainerSidecar, backupCommand(), kube.ExecOptions{Stdout: out, Stderr: stderr})
	if err != nil {
		var exit *kube.ExitError
		if errors.As(err, &exit) {
			return nil, fmt.Errorf("the backup tool in %s failed (exit %d): %s", from, exit.Code, lastLines(stderr.String(), 3))
		}
		return nil, fmt.Errorf("stream from %s: %w", from, err)
	}
	t := backupPosition(stderr.String())
	t.FinishedAt = c.now().UTC()
	if info.BackupTrailer, err = w.finish(t); err != nil {
		return nil, err
	}
	return info, nil
}

// backupSource checks the asked pod, or picks the replica that replicates
// and is least behind; a cluster without one is backed up from its primary.
// A replica with errant transactions is never picked: a restore from it
// would carry writes the primary never had.
func (c *Cluster) backupSource(ctx context.Context, asked string, replicas int32) (string, error) {
	if asked != "" {
		_, err := memberOrdinal(c.name, asked, replicas)
		return asked, err
	}
	g, err := c.gather(ctx)
	if err != nil {
		return "", err
	}
	defer g.close()
	best, bestLag := "", int64(-1)
	for _, m := range g.report.Members {
		r := m.Replication
		if r == nil || !r.IORunning || !r.SQLRunning || r.SecondsBehind == nil || !m.Ready {
			continue
		}
		if m.ErrantTransactions != "" {
			c.say(fmt.Sprintf("not backing up %s: it has transactions the primary lacks (%s)", m.Pod, m.ErrantTransactions))
			continue
		}
		if best == "" || *r.SecondsBehind < bestLag {
			best, bestLag = m.Pod, *r.SecondsBehind
		}
	}
	if best != "" {
		return best, nil
	}
	if g.report.Cluster.Primary == "" {
		return "", errors.New("no replica replicates and no primary answers: pass --from POD")
	}
	return g.report.Cluster.Primary, nil
}

// streamFormat names what a backup file carries: the backup tool's stream,
// or (mysql, no backup tool in its image) the tar of a CLONE LOCAL copy
// (configs/scripts/backup-stream.sh).
func streamFormat(f manifest.Flavor) string {
	switch f {
	case manifest.FlavorMariaDB:
		return "mbstream"
	case manifest.FlavorMySQL:
		return "tar"
	}
	return "xbstream"
}

// positionLine is how mariadb-backup and XtraBackup report the binary log
// position of the data they copied (backup-stream.sh says it in the same
// words for a CLONE LOCAL copy).
var positionLine = regexp.MustCompile(`MySQL binlog position: filename '([^']+)', position '?(\d+)'?(?:, GTID of the last change '([^']*)')?`)

func backupPosition(log string) BackupTrailer {
	var t BackupTrailer
	if m := positionLine.FindStringSubmatch(log); m != nil {
		t.BinlogFile, t.GTID = m[1], m[3]
		t.BinlogPos, _ = strconv.ParseUint(m[2], 10, 64)
	}
	return t
}

// countingWriter reports the bytes written so far (and, behind an
// io.TeeReader, the bytes read).
type countingWriter struct {
	w      io.Writer
	n      int64
	copied func(int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.copied(c.n)
	return n, err
}

// tailBuffer keeps the last max bytes written to it (the backup tool's
// log, whose end says why it failed and where the data stands).
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

func lastLines(s string, n int) string {
	lines := bytes.Split(bytes.TrimSpace([]byte(s)), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte(" | ")))
}
