// Package auth holds the rules of accounts: password hashing, roles and
// what each role may do. It knows nothing of SQL or HTTP.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106 second recommended option, lighter memory).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// hashing bounds the argon2id computations running at once: each takes
// 64 MiB and a core for a fifth of a second, and a burst of sign-ins must
// not take the server's memory. Creating the channel costs nothing.
var hashing = make(chan struct{}, max(2, runtime.NumCPU()))

// argonKey computes an argon2id key once a slot is free.
func argonKey(pw, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(pw, salt, t, m, p, keyLen)
}

// ErrBadPassword means a password did not match its hash.
var ErrBadPassword = errors.New("mot de passe incorrect")

// HashPassword returns the PHC string of pw hashed with argon2id and a
// random salt.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argonKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword checks pw against a hash made by HashPassword, in
// constant time; it returns ErrBadPassword on mismatch.
func VerifyPassword(hash, pw string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("empreinte de mot de passe illisible")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return fmt.Errorf("paramètres argon2id illisibles : %w", err)
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return err
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return err
	}
	if m > 4*argonMemory || t > 10*argonTime || len(want) > 64 {
		return errors.New("paramètres argon2id hors limites")
	}
	got := argonKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrBadPassword
	}
	return nil
}

// RandomToken returns n random bytes, URL-safe base64-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
