package cluster

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
	"github.com/mysqlctl/mysqlctl/sql"
)

// RotateOptions bound the waits of RotatePasswords.
type RotateOptions struct {
	// CatchUp bounds each replica's wait for the primary's account changes.
	CatchUp time.Duration
	// FilesWithin bounds the wait for the kubelet to give every pod the
	// new Secret files.
	FilesWithin time.Duration
}

// RotatePasswords gives every account of the credentials Secret a new
// password with no outage. Every server accepts the old and the new
// password while the Secret and the pods' files change (MySQL's dual
// passwords; MariaDB's two authentication methods), and the old one is
// dropped only when every pod's files hold the new one. The account
// changes are made on the primary and replicate; each replica is then given
// the new replication password. The Secret records where the rotation
// stands, so that an interrupted run is finished by the next one.
func (c *Cluster) RotatePasswords(ctx context.Context, opts RotateOptions) error {
	if err := c.rotatePasswords(ctx, opts); err != nil {
		return fmt.Errorf("rotate passwords: %w", err)
	}
	return nil
}

func (c *Cluster) rotatePasswords(ctx context.Context, opts RotateOptions) error {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return err
	}
	if manifest.LiveSpec(sts).Flavor == manifest.FlavorMySQL57 {
		return fmt.Errorf("MySQL 5.7 cannot hold two passwords for one account, so its passwords cannot change without an outage: nothing changed")
	}
	r, err := c.openRoleChange(ctx)
	if err != nil {
		return err
	}
	defer r.g.close()
	in, err := c.intentOf(r.rec)
	if err != nil {
		return err
	}
	if in != nil {
		return fmt.Errorf("a role change is under way (%s): nothing changed; run it again when it is over", in)
	}
	primary, replicas, err := c.rotationServers(r)
	if err != nil {
		return err
	}
	if err := sql.CanRotatePasswords(primary.Adapter()); err != nil {
		return fmt.Errorf("%w: nothing changed", err)
	}
	secret, err := c.api.GetSecret(ctx, manifest.SecretName(c.name))
	if err != nil {
		return err
	}
	if secret == nil {
		return fmt.Errorf("secret %s does not exist: the passwords are gone (see mysqlctl check)", manifest.SecretName(c.name))
	}
	phase := rotationPhaseOf(secret.Data)
	if phase != RotationNone {
		c.say(describePhase(phase))
	}
	if phase == RotationNone {
		data, err := withNewPasswords(secret.Data)
		if err != nil {
			return err
		}
		if secret, err = c.writeCredentials(ctx, secret, data); err != nil {
			return err
		}
		c.changed(fmt.Sprintf("secret/%s: new passwords chosen", secret.Name))
		phase = RotationAdmitting
	}
	hidden := passwordsOf(secret.Data)
	if phase == RotationAdmitting {
		c.say(fmt.Sprintf("on %s: every account accepts its old and its new password", r.primary))
		for _, a := range rotatedAccounts() {
			next, ok := secret.Data[rotationNextPrefix+a.key]
			if !ok {
				continue
			}
			for _, l := range a.logins {
				stmts, err := sql.AdmitBothPasswords(primary.Adapter(), l, string(secret.Data[a.key]), string(next))
				if err != nil {
					return err
				}
				if err := primary.ExecHiding(ctx, hidden, stmts...); err != nil {
					return fmt.Errorf("admit the new password of %s on %s: %w", l.User, r.primary, err)
				}
			}
		}
		if err := c.replicasCatchUp(ctx, primary, replicas, opts.CatchUp); err != nil {
			return err
		}
		if secret, err = c.writeCredentials(ctx, secret, swappedPasswords(secret.Data)); err != nil {
			return err
		}
		c.changed(fmt.Sprintf("secret/%s: holds the new passwords", secret.Name))
	}
	if err := c.awaitPodFiles(ctx, r, secret, opts.FilesWithin); err != nil {
		return err
	}
	replication := string(secret.Data[manifest.SecretKeyReplicationPassword])
	for _, pod := range sortedKeys(replicas) {
		srv := replicas[pod]
		c.say(fmt.Sprintf("on %s: replicating with the new password", pod))
		if err := srv.ExecHiding(ctx, hidden, sql.ChangeReplicationPassword(srv.Adapter(), replication)...); err != nil {
			return fmt.Errorf("give %s the new replication password: %w", pod, err)
		}
	}
	c.say(fmt.Sprintf("on %s: the old passwords stop working", r.primary))
	for _, a := range rotatedAccounts() {
		if _, ok := secret.Data[rotationPreviousPrefix+a.key]; !ok {
			continue
		}
		for _, l := range a.logins {
			if err := primary.ExecHiding(ctx, hidden, sql.KeepOnlyPassword(primary.Adapter(), l, string(secret.Data[a.key]))...); err != nil {
				return fmt.Errorf("drop the old password of %s on %s: %w", l.User, r.primary, err)
			}
		}
	}
	if err := c.replicasCatchUp(ctx, primary, replicas, opts.CatchUp); err != nil {
		return err
	}
	if _, err := c.writeCredentials(ctx, secret, withoutOldPasswords(secret.Data)); err != nil {
		return err
	}
	c.changed(fmt.Sprintf("secret/%s: the old passwords forgotten", secret.Name))
	return nil
}

// rotationServers are the open connections to the primary and to every
// replica. A rotation needs them all: a server that is away would miss its
// new replication password and stop replicating when the old one goes.
func (c *Cluster) rotationServers(r *roleChange) (Server, map[string]Server, error) {
	if r.primary == "" {
		return nil, nil, c.errNoRecordedPrimary()
	}
	var primary Server
	replicas := map[string]Server{}
	var problems []string
	for i, s := range r.g.slots {
		p, m := r.g.probes[i], r.member(s.name)
		switch {
		case p.server == nil || p.report == nil:
			problems = append(problems, fmt.Sprintf("%s does not answer (%s)", s.name, memberState(m)))
		case s.name == r.primary:
			if !p.report.Writable() || p.report.IsReplica() {
				problems = append(problems, fmt.Sprintf("the recorded primary %s is not a writable primary", s.name))
			}
			primary = p.server
		case !replicatesFrom(p.report, c.name, r.primary) || m.Replication == nil || !m.Replication.IORunning || !m.Replication.SQLRunning:
			problems = append(problems, fmt.Sprintf("%s does not replicate from %s (%s)", s.name, r.primary, memberState(m)))
		default:
			replicas[s.name] = p.server
		}
	}
	if primary == nil && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("the recorded primary %s is not a member", r.primary))
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("every server must answer and replicate to change passwords without an outage: %s; nothing changed (mysqlctl check says more)", strings.Join(problems, "; "))
	}
	return primary, replicas, nil
}

// replicasCatchUp waits until every replica applied what the primary has
// written: the account changes replicate.
func (c *Cluster) replicasCatchUp(ctx context.Context, primary Server, replicas map[string]Server, within time.Duration) error {
	rep, err := primary.Report(ctx)
	if err != nil {
		return fmt.Errorf("read the primary's position: %w", err)
	}
	for _, pod := range sortedKeys(replicas) {
		srv := replicas[pod]
		if err := srv.WaitForGTID(ctx, binlogGTID(rep), within); err != nil {
			return fmt.Errorf("%s did not apply the account changes within %s: %w; run rotate-passwords again to finish", pod, within, err)
		}
	}
	return nil
}

// awaitPodFiles waits until every container that mounts a password holds
// the Secret's current one in its files. Each pod is annotated with the
// Secret's version first, which makes the kubelet rewrite the files now.
// The files are compared by their SHA-256, read with sha256sum in the
// container: no password leaves the pod.
func (c *Cluster) awaitPodFiles(ctx context.Context, r *roleChange, secret *corev1.Secret, within time.Duration) error {
	want := fileDigests(secret.Data)
	pods := make([]string, 0, len(r.g.slots))
	for _, s := range r.g.slots {
		pods = append(pods, s.name)
		if err := c.api.AnnotatePod(ctx, s.name, AnnotationCredentials, secret.ResourceVersion); err != nil {
			return err
		}
	}
	c.say("waiting for the kubelet to give every pod the new passwords")
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		stale := c.staleFiles(ctx, pods, want)
		if len(stale) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %s these pods still hold old passwords: %s; the servers accept both until a later run finishes: run rotate-passwords again", within, strings.Join(stale, ", "))
		case <-tick.C:
		}
	}
}

// mountedKeys are the password files each container holds (the server
// container mounts root's and the probe account's alone).
var mountedKeys = map[string][]string{
	manifest.ContainerSidecar: {manifest.SecretKeyRootPassword, manifest.SecretKeyAdminPassword, manifest.SecretKeyReplicationPassword, manifest.SecretKeyProbePassword},
	manifest.ContainerServer:  {manifest.SecretKeyRootPassword, manifest.SecretKeyProbePassword},
}

// staleFiles names each pod container whose files differ from want (or
// cannot be read yet).
func (c *Cluster) staleFiles(ctx context.Context, pods []string, want map[string]string) []string {
	var stale []string
	containers := []string{manifest.ContainerServer, manifest.ContainerSidecar}
	for _, pod := range pods {
		for _, container := range containers {
			var files []string
			for _, key := range mountedKeys[container] {
				if _, ok := want[key]; ok {
					files = append(files, path.Join(manifest.MountSecrets, key))
				}
			}
			var out bytes.Buffer
			err := c.api.Exec(ctx, pod, container, append([]string{"sha256sum"}, files...), kube.ExecOptions{Stdout: &out})
			if err != nil || !digestsMatch(out.String(), want) {
				stale = append(stale, pod+"/"+container)
			}
		}
	}
	sort.Strings(stale)
	return stale
}

// digestsMatch reads sha256sum's "DIGEST  PATH" lines.
func digestsMatch(out string, want map[string]string) bool {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 {
		return false
	}
	for _, line := range lines {
		digest, file, ok := strings.Cut(line, "  ")
		if !ok || want[path.Base(file)] != digest {
			return false
		}
	}
	return true
}
