package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// A rotation's phases follow from the Secret's keys alone: choosing new
// passwords keeps the old ones, the swap keeps the old ones as previous-*,
// and the end forgets them; a key the Secret never had (the probe's, on an
// old cluster) is not invented.
func TestRotationPhasesLiveInTheSecret(t *testing.T) {
	start := map[string][]byte{
		manifest.SecretKeyRootPassword:        []byte("oldRoot"),
		manifest.SecretKeyAdminPassword:       []byte("oldAdmin"),
		manifest.SecretKeyReplicationPassword: []byte("oldRepl"),
		"unrelated":                           []byte("kept"),
	}
	if p := rotationPhaseOf(start); p != RotationNone {
		t.Fatalf("phase of a plain Secret: %d", p)
	}
	chosen, err := withNewPasswords(start)
	if err != nil {
		t.Fatal(err)
	}
	if p := rotationPhaseOf(chosen); p != RotationAdmitting {
		t.Fatalf("phase after choosing: %d", p)
	}
	if _, ok := chosen["next-"+manifest.SecretKeyProbePassword]; ok {
		t.Errorf("a new probe password was chosen for a Secret without one")
	}
	newRoot := chosen["next-"+manifest.SecretKeyRootPassword]
	if len(newRoot) != 24 || string(newRoot) == "oldRoot" || string(chosen[manifest.SecretKeyRootPassword]) != "oldRoot" {
		t.Fatalf("after choosing: root %q, next %q", chosen[manifest.SecretKeyRootPassword], newRoot)
	}
	swapped := swappedPasswords(chosen)
	if p := rotationPhaseOf(swapped); p != RotationSwapped {
		t.Fatalf("phase after the swap: %d", p)
	}
	if string(swapped[manifest.SecretKeyRootPassword]) != string(newRoot) || string(swapped["previous-"+manifest.SecretKeyRootPassword]) != "oldRoot" {
		t.Fatalf("after the swap: root %q, previous %q", swapped[manifest.SecretKeyRootPassword], swapped["previous-"+manifest.SecretKeyRootPassword])
	}
	done := withoutOldPasswords(swapped)
	if p := rotationPhaseOf(done); p != RotationNone || len(done) != len(start) || string(done["unrelated"]) != "kept" {
		t.Fatalf("after the end: phase %d, %d keys", p, len(done))
	}
	if string(start[manifest.SecretKeyRootPassword]) != "oldRoot" {
		t.Errorf("the steps changed the map they were given")
	}
}

// digestsMatch reads sha256sum's output; any file with another digest, or
// no output, is stale.
func TestDigestsMatchSHA256Sum(t *testing.T) {
	sum := func(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }
	want := fileDigests(map[string][]byte{manifest.SecretKeyRootPassword: []byte("r"), manifest.SecretKeyAdminPassword: []byte("a")})
	out := sum("r") + "  /etc/mysqlctl/secrets/root-password\n" + sum("a") + "  /etc/mysqlctl/secrets/admin-password\n"
	if !digestsMatch(out, want) {
		t.Errorf("matching files not seen as such:\n%s", out)
	}
	stale := sum("r") + "  /etc/mysqlctl/secrets/root-password\n" + sum("old") + "  /etc/mysqlctl/secrets/admin-password\n"
	if digestsMatch(stale, want) || digestsMatch("", want) {
		t.Errorf("a stale file or no output seen as matching")
	}
}
