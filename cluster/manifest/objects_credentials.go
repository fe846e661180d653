package manifest

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// passwordAlphabet holds only letters and digits: the passwords travel
// through shell scripts, option files and SQL string literals, where no
// character of it needs quoting.
const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// passwordLength gives 24*log2(62) ≈ 143 bits of entropy.
const passwordLength = 24

// NewCredentials makes the data of the credentials Secret: one random
// password per key of SecretKeys, from crypto/rand. The up use case creates
// the Secret with it once and never overwrites it: the servers keep the
// passwords they were initialised with.
func NewCredentials() (map[string][]byte, error) {
	data := make(map[string][]byte, len(SecretKeys()))
	for _, key := range SecretKeys() {
		pw, err := randomPassword(passwordLength)
		if err != nil {
			return nil, fmt.Errorf("generate %s: %w", key, err)
		}
		data[key] = pw
	}
	return data, nil
}

func randomPassword(n int) ([]byte, error) {
	max := big.NewInt(int64(len(passwordAlphabet)))
	pw := make([]byte, n)
	for i := range pw {
		// rand.Int draws uniformly: no modulo bias.
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return nil, err
		}
		pw[i] = passwordAlphabet[k.Int64()]
	}
	return pw, nil
}
