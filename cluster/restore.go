package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// stateKeyRestore in the cluster's record asks the primary of a new cluster
// to wait for a backup (configs/scripts/clone.sh) instead of starting
// empty; up --from-backup writes it and removes it once restored.
const stateKeyRestore = "restore"

// RestoreOptions make up create a new cluster whose primary starts from a
// backup file.
type RestoreOptions struct {
	File string
	Info *BackupInfo // as VerifyBackup read it
	// Credentials are the backed-up cluster's Secret data: its accounts keep
	// their passwords. Nil gives them new ones (not mysql57: the reset
	// runs the server on the restored data).
	Credentials map[string][]byte
	// Copied, when set, is called as bytes are sent.
	Copied func(bytes int64)
}

// adoptBackup makes the asked spec the backup's flavour and version where
// the user gave none, and refuses another flavour or an older series.
func adoptBackup(asked manifest.Spec, given manifest.Given, r *RestoreOptions) (manifest.Spec, error) {
	info := r.Info
	if !given.Has(manifest.KeyFlavor) {
		asked.Flavor = info.Flavor
		if !given.Has(manifest.KeyImage) {
			asked.Image = ""
		}
	}
	if !given.Has(manifest.KeyVersion) && asked.Flavor == info.Flavor {
		asked.Version = info.Version
	}
	if asked.Flavor != info.Flavor {
		return asked, manifest.InvalidSpec("flavor", "%s is a backup of a %s server and cannot start a %s cluster: leave --flavor out or pass --flavor %s", r.File, info.Flavor, asked.Flavor, info.Flavor)
	}
	if manifest.OlderVersion(asked.WithDefaults().Version, info.Version) {
		return asked, manifest.InvalidSpec("version", "%s is a backup of %s %s, newer than %s: a server never starts on a newer series' data; pass --version %s or later", r.File, info.Flavor, info.Version, asked.WithDefaults().Version, info.Version)
	}
	if r.Credentials == nil && asked.Flavor == manifest.FlavorMySQL57 {
		return asked, manifest.InvalidSpec("credentials", "a %s backup keeps its accounts' passwords: pass the backed-up cluster's Secret with --credentials-from", asked.Flavor)
	}
	for _, k := range manifest.SecretKeys() {
		// A cluster made before the probe account had no key for it: the
		// restored cluster gets a new password (restoreCredentials).
		if r.Credentials != nil && len(r.Credentials[k]) == 0 && k != manifest.SecretKeyProbePassword {
			return asked, manifest.InvalidSpec("credentials", "the credentials given lack %s: pass the backed-up cluster's Secret (%s)", k, manifest.SecretName(info.Cluster))
		}
	}
	return asked, nil
}

// checkNewCluster refuses a restore over anything that exists: a restore
// makes a new cluster.
func (c *Cluster) checkNewCluster(ctx context.Context) error {
	sts, err := c.statefulSet(ctx)
	if err != nil {
		return err
	}
	pvcs, err := c.api.ListPVCs(ctx, manifest.PodSelector(c.name))
	if err != nil {
		return err
	}
	if sts != nil || len(pvcs) > 0 {
		return manifest.InvalidSpec("name", "cluster %s exists in namespace %s (or its volumes do): a restore makes a new cluster; choose another --name or -n", c.name, c.Namespace())
	}
	return nil
}

// restore streams the backup into the primary's clone container, which
// waits for it, then removes the record's request.
func (c *Cluster) restore(ctx context.Context, r *RestoreOptions) error {
	primary := manifest.PodName(c.name, 0)
	c.say(fmt.Sprintf("waiting for %s to wait for the backup", primary))
	if err := c.api.WaitContainerRunning(ctx, primary, manifest.ContainerClone); err != nil {
		return err
	}
	payload, err := openBackupPayload(r.File, r.Info)
	if err != nil {
		return err
	}
	defer payload.Close()
	var in io.Reader = payload
	if r.Copied != nil {
		in = io.TeeReader(payload, &countingWriter{w: io.Discard, copied: r.Copied})
	}
	c.say(fmt.Sprintf("restoring %s into %s", filepath.Base(r.File), primary))
	stderr := &tailBuffer{max: 64 << 10}
	err = c.api.Exec(ctx, primary, manifest.ContainerClone, restoreCommand(r.Credentials == nil), kube.ExecOptions{Stdin: in, Stderr: stderr})
	var exit *kube.ExitError
	if errors.As(err, &exit) { // the script's failure, not the command's exit code
		return fmt.Errorf("the restore in %s failed (exit %d): %s", primary, exit.Code, lastLines(stderr.String(), 3))
	}
	if err != nil {
		return fmt.Errorf("stream the backup into %s: %w", primary, err)
	}
	return c.dropStateKey(ctx, stateKeyRestore)
}

// openBackupPayload reads the payload of a backup file VerifyBackup read.
func openBackupPayload(path string, info *BackupInfo) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 0, 4096)
	buf := make([]byte, 1)
	for { // the header line, byte by byte: it is short
		if _, err := io.ReadFull(f, buf); err != nil {
			f.Close()
			return nil, corrupt("%s: no header line", path)
		}
		head = append(head, buf[0])
		if buf[0] == '\n' && len(head) > len(backupMagic) {
			break
		}
	}
	if !strings.HasPrefix(string(head), backupMagic) {
		f.Close()
		return nil, corrupt("%s does not start like a mysqlctl backup", path)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, int64(len(head)), info.PayloadBytes), f}, nil
}

// restoreCredentials are the backed-up cluster's passwords, with a new one
// for any key that cluster's Secret did not have yet.
func restoreCredentials(given map[string][]byte) (map[string][]byte, error) {
	fresh, err := manifest.NewCredentials()
	if err != nil {
		return nil, err
	}
	for k, v := range given {
		fresh[k] = v
	}
	return fresh, nil
}
