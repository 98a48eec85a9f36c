// Package secrets seals connection secrets at rest with AES-256-GCM under a
// keyring: one current key that seals, and older keys that still open what
// they sealed, so keys can rotate. Every sealed value names its key by id.
//
// A key comes from the environment (SWITCHBOARD_SECRET_KEY, base64 of 32
// bytes; SWITCHBOARD_SECRET_KEY_PREVIOUS lists older ones, comma-separated)
// or, where none is set, from a key file that is generated with mode 0600 in
// the data folder on first start.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Prefix starts every sealed value: "sb1:<key id>:<base64 nonce+ciphertext>".
const Prefix = "sb1:"

// KeySize is the size of a key in bytes (AES-256).
const KeySize = 32

// ErrWrongKey means a value was sealed under a key the keyring does not
// hold, or was altered.
var ErrWrongKey = errors.New("secret was sealed under another key, or altered")

// Key is one AES-256 key with its id.
type Key struct {
	ID    string
	bytes []byte
	aead  cipher.AEAD
}

// NewKey makes a key from 32 bytes; its id is derived from the key.
func NewKey(raw []byte) (Key, error) {
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("creating GCM: %w", err)
	}
	sum := sha256.Sum256(append([]byte("switchboard key id:"), raw...))
	return Key{ID: hex.EncodeToString(sum[:4]), bytes: append([]byte(nil), raw...), aead: aead}, nil
}

// GenerateKey returns a new random key.
func GenerateKey() (Key, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return Key{}, fmt.Errorf("generating key: %w", err)
	}
	return NewKey(raw)
}

// keyFormat says what a key must be, for the errors of one that is not.
const keyFormat = "want the base64 of 32 random bytes, such as openssl rand -base64 32 prints"

// ParseKey reads a key written by [Key.String]. Its errors say what a key
// must be, and never hold the text given, which may be a key.
func ParseKey(text string) (Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return Key{}, fmt.Errorf("secret key is not base64 (%s): %w", keyFormat, err)
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("secret key is %d bytes, not %d (%s)", len(raw), KeySize, keyFormat)
	}
	return NewKey(raw)
}

// String returns the key as base64, for the key file or the environment.
// It is the key itself: never log it.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k.bytes) }

// Keyring seals with its current key and opens with any of its keys.
type Keyring struct {
	current Key
	byID    map[string]Key
	// Source says where the current key came from, for messages.
	Source string
}

// NewKeyring builds a keyring from the current key and older keys.
func NewKeyring(source string, current Key, older ...Key) *Keyring {
	r := &Keyring{current: current, byID: map[string]Key{current.ID: current}, Source: source}
	r.addOlder(older...)
	return r
}

// addOlder adds keys that open but do not seal; the current key stays.
func (r *Keyring) addOlder(older ...Key) {
	for _, k := range older {
		if k.ID != r.current.ID {
			r.byID[k.ID] = k
		}
	}
}

// CurrentID returns the id of the key that seals.
func (r *Keyring) CurrentID() string { return r.current.ID }

// Seal encrypts plaintext under the current key. context binds the value to
// its place (such as the secret's field name): a sealed value moved to
// another place no longer opens.
func (r *Keyring) Seal(plaintext, context string) (string, error) {
	nonce := make([]byte, r.current.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("sealing secret: %w", err)
	}
	sealed := r.current.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return Prefix + r.current.ID + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value made by Seal with the same context.
func (r *Keyring) Open(value, context string) (string, error) {
	kid, payload, ok := split(value)
	if !ok {
		return "", errors.New("not a sealed secret")
	}
	key, known := r.byID[kid]
	if !known {
		return "", fmt.Errorf("key %s is not in the keyring: %w", kid, ErrWrongKey)
	}
	raw, err := base64.RawStdEncoding.DecodeString(payload)
	n := key.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", fmt.Errorf("sealed secret is damaged: %w", ErrWrongKey)
	}
	plain, err := key.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("opening secret under key %s: %w", kid, ErrWrongKey)
	}
	return string(plain), nil
}

// IsSealed reports whether value looks like a sealed secret.
func IsSealed(value string) bool {
	_, _, ok := split(value)
	return ok
}

// KeyID returns the id of the key that sealed value, or "".
func KeyID(value string) string {
	kid, _, _ := split(value)
	return kid
}

func split(value string) (kid, payload string, ok bool) {
	rest, found := strings.CutPrefix(value, Prefix)
	if !found {
		return "", "", false
	}
	kid, payload, ok = strings.Cut(rest, ":")
	return kid, payload, ok && kid != "" && payload != ""
}

// Keys returns the keyring's keys, the current one first.
func (r *Keyring) Keys() []Key {
	keys := []Key{r.current}
	for id, k := range r.byID {
		if id != r.current.ID {
			keys = append(keys, k)
		}
	}
	return keys
}
