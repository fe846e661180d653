package manifest

import (
	"bytes"
	"testing"
)

func TestNewCredentials(t *testing.T) {
	a, err := NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(SecretKeys()) {
		t.Fatalf("NewCredentials() has %d keys, want %v", len(a), SecretKeys())
	}
	for _, key := range SecretKeys() {
		pw := a[key]
		if len(pw) != passwordLength {
			t.Errorf("%s has %d characters, want %d", key, len(pw), passwordLength)
		}
		for _, c := range pw {
			if !bytes.ContainsRune([]byte(passwordAlphabet), rune(c)) {
				t.Errorf("%s holds %q, outside the quoting-free alphabet", key, c)
			}
		}
		if bytes.Equal(pw, b[key]) {
			t.Errorf("%s is the same in two calls", key)
		}
	}
	if bytes.Equal(a[SecretKeyRootPassword], a[SecretKeyAdminPassword]) {
		t.Error("root and admin passwords are equal")
	}
}
