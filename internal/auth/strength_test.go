package auth

import "testing"

func TestWeakPasswordsAreRefused(t *testing.T) {
	weak := []struct{ pw, email, name string }{
		{"            ", "", ""},
		{"   \t        ", "", ""},
		{"aaaaaaaaaaaa", "", ""},
		{"123456789012", "", ""},
		{"098765432109", "", ""},
		{"abcdefghijkl", "", ""},
		{"azertyuiopqs", "", ""},
		{"qwertyuiop12", "", ""},
		{"azerty123456", "", ""},
		{"AZERTYUIOP!!", "", ""},
		{"bonjourbonjour", "", ""},
		{"abcabcabcabc", "", ""},
		{"motdepasse123", "", ""},
		{"Mot de passe 2024", "", ""},
		{"P@ssw0rd12345", "", ""},
		{"password1234", "", ""},
		{"Soleil2024!!!", "", ""},
		{"iloveyou1234", "", ""},
		{"marie.dupont2024", "marie.dupont@caf.fr", "Marie Dupont"},
		{"MarieDupont!!1", "m.d@exemple.fr", "Marie Dupont"},
		{"dupont-1234567", "marie.dupont@caf.fr", "Marie Dupont"},
	}
	for _, c := range weak {
		if err := CheckPasswordStrength(c.pw, c.email, c.name); err == nil {
			t.Errorf("%q accepté", c.pw)
		}
	}
	strong := []struct{ pw, email, name string }{
		{"un mot de passe solide", "", ""},
		{"cheval agrafe pile correcte", "", ""},
		{"Forcalquier a 13 communes !", "", ""},
		{"k8#Lw2pQz!7r", "", ""},
		{"marie aime les tilleuls de Lure", "marie.dupont@caf.fr", "Marie Dupont"},
	}
	for _, c := range strong {
		if err := CheckPasswordStrength(c.pw, c.email, c.name); err != nil {
			t.Errorf("%q refusé : %v", c.pw, err)
		}
	}
}

func TestRandomPasswordsPass(t *testing.T) {
	// The first administrator's password is a random token: it must pass.
	for range 200 {
		if pw := RandomToken(12); CheckPasswordStrength(pw) != nil {
			t.Errorf("%q refusé : %v", pw, CheckPasswordStrength(pw))
		}
	}
}

func TestPasswordsBuiltOnTheAddressOrWovenSequencesAreRefused(t *testing.T) {
	for pw, personal := range map[string]string{
		"jean@ville.forcalquier.fr": "jean@ville.forcalquier.fr",
		"editor@x.test1":            "editor@x.test",
		"1q2w3e4r5t6y":              "",
		"a1b2c3d4e5f6":              "",
	} {
		if err := CheckPasswordStrength(pw, personal); err == nil {
			t.Errorf("%q accepté", pw)
		}
	}
	if err := CheckPasswordStrength("le chat dort sur le toit", "jean@ville.forcalquier.fr"); err != nil {
		t.Errorf("phrase de passe refusée : %v", err)
	}
}
