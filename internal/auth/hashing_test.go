package auth

import (
	"testing"
	"time"
)

// A password check waits for a free slot: however many sign-ins arrive at
// once, only a few argon2id computations (64 MiB each) run together.
func TestPasswordChecksWaitForAFreeSlot(t *testing.T) {
	hash, err := HashPassword("une phrase de passe assez longue")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashing) {
		hashing <- struct{}{}
	}
	done := make(chan error, 1)
	go func() { done <- VerifyPassword(hash, "une phrase de passe assez longue") }()
	select {
	case <-done:
		t.Fatal("vérification faite sans place libre")
	case <-time.After(300 * time.Millisecond):
	}
	<-hashing
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for range cap(hashing) - 1 {
		<-hashing
	}
}

func TestForeignHashParametersAreRefused(t *testing.T) {
	if err := VerifyPassword("$argon2id$v=19$m=4194304,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U", "x"); err == nil {
		t.Error("une empreinte demandant 4 Gio a été calculée")
	}
}
