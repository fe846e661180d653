package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/sql"
)

// A rotation is recorded in the credentials Secret itself, so that an
// interrupted run is finished by the next one, whoever runs it:
//   - next-KEY holds a new password that the servers are being taught to
//     accept beside the old one (KEY still holds the old one);
//   - previous-KEY holds the old password once KEY holds the new one and
//     the pods are being given it; the old one is dropped last.
const (
	rotationNextPrefix     = "next-"
	rotationPreviousPrefix = "previous-"
)

// AnnotationCredentials changes on every pod when the Secret does: the
// kubelet then rewrites the pod's Secret files at once.
const AnnotationCredentials = "mysqlctl.io/credentials-version"

// rotatedAccount is one key of the credentials Secret and the logins that
// use its password.
type rotatedAccount struct {
	key    string
	logins []sql.Login
}

// rotatedAccounts are the accounts RotatePasswords changes: every one whose
// password is in the credentials Secret. (The metrics exporter's is in its
// own Secret and is not rotated.)
func rotatedAccounts() []rotatedAccount {
	return []rotatedAccount{
		{manifest.SecretKeyRootPassword, []sql.Login{{User: manifest.RootUser, Host: "%"}, {User: manifest.RootUser, Host: "localhost"}}},
		{manifest.SecretKeyAdminPassword, []sql.Login{{User: manifest.AdminUser, Host: "%"}}},
		{manifest.SecretKeyReplicationPassword, []sql.Login{{User: manifest.ReplicationUser, Host: "%"}}},
		{manifest.SecretKeyProbePassword, []sql.Login{{User: manifest.ProbeUser, Host: "%"}}},
	}
}

// RotationPhase is where a rotation recorded in the Secret stands.
type RotationPhase int

const (
	// RotationNone: no rotation under way.
	RotationNone RotationPhase = iota
	// RotationAdmitting: new passwords chosen (next-KEY), the servers
	// being taught to accept them beside the old ones.
	RotationAdmitting
	// RotationSwapped: the Secret holds the new passwords and the old ones
	// (previous-KEY), which the servers still accept.
	RotationSwapped
)

// rotationPhaseOf reads the phase from the Secret's keys.
func rotationPhaseOf(data map[string][]byte) RotationPhase {
	phase := RotationNone
	for key := range data {
		switch {
		case strings.HasPrefix(key, rotationNextPrefix):
			return RotationAdmitting
		case strings.HasPrefix(key, rotationPreviousPrefix):
			phase = RotationSwapped
		}
	}
	return phase
}

// withNewPasswords records a new password for each account the Secret has
// a password for, beside the current one.
func withNewPasswords(data map[string][]byte) (map[string][]byte, error) {
	fresh, err := manifest.NewCredentials()
	if err != nil {
		return nil, err
	}
	out := copyData(data)
	for _, a := range rotatedAccounts() {
		if len(data[a.key]) > 0 {
			out[rotationNextPrefix+a.key] = fresh[a.key]
		}
	}
	return out, nil
}

// swappedPasswords makes each new password the current one and keeps the
// old one as previous-KEY.
func swappedPasswords(data map[string][]byte) map[string][]byte {
	out := copyData(data)
	for _, a := range rotatedAccounts() {
		next, ok := data[rotationNextPrefix+a.key]
		if !ok {
			continue
		}
		out[rotationPreviousPrefix+a.key] = data[a.key]
		out[a.key] = next
		delete(out, rotationNextPrefix+a.key)
	}
	return out
}

// withoutOldPasswords forgets the old passwords: the rotation is over.
func withoutOldPasswords(data map[string][]byte) map[string][]byte {
	out := copyData(data)
	for key := range out {
		if strings.HasPrefix(key, rotationPreviousPrefix) {
			delete(out, key)
		}
	}
	return out
}

func copyData(data map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(data))
	for k, v := range data {
		out[k] = v
	}
	return out
}

// passwordsOf lists every password the Secret holds, current and in
// rotation: what statements and errors must hide.
func passwordsOf(data map[string][]byte) []string {
	var out []string
	for _, v := range data {
		if len(v) > 0 {
			out = append(out, string(v))
		}
	}
	return out
}

// fileDigests is the SHA-256 of each current password, by Secret key: what
// a pod's mounted files must hash to once the kubelet rewrote them.
func fileDigests(data map[string][]byte) map[string]string {
	out := map[string]string{}
	for _, a := range rotatedAccounts() {
		if pw, ok := data[a.key]; ok && len(pw) > 0 {
			sum := sha256.Sum256(pw)
			out[a.key] = hex.EncodeToString(sum[:])
		}
	}
	return out
}

// writeCredentials replaces the Secret's data, on the condition that
// nobody wrote it since it was read.
func (c *Cluster) writeCredentials(ctx context.Context, secret *corev1.Secret, data map[string][]byte) (*corev1.Secret, error) {
	next := secret.DeepCopy()
	next.Data = data
	out, err := c.api.ReplaceSecret(ctx, next)
	if err != nil {
		return nil, fmt.Errorf("%w (another rotate-passwords at once? run it again)", err)
	}
	return out, nil
}

// describePhase says where an interrupted rotation stood, for the run that
// finishes it.
func describePhase(p RotationPhase) string {
	switch p {
	case RotationAdmitting:
		return "an interrupted rotation had chosen new passwords: finishing it with them"
	case RotationSwapped:
		return "an interrupted rotation had given the Secret the new passwords: finishing it"
	}
	return ""
}
