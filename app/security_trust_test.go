package app

// Security tests: the fields that decide who can read a connection's
// secrets on the way (its TLS mode, the authorities it trusts, a pinned
// certificate or host key) count as its address. Weakening them must not
// keep the secrets, or a test would send an FTP password in clear text,
// or a token to whoever holds a newly trusted authority.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	_ "github.com/switchboard-app/switchboard/connectors/all"
	"github.com/switchboard-app/switchboard/connectors/files"
	"github.com/switchboard-app/switchboard/connectors/memory"
)

// seedTrusted saves, besides seedAddressed's connections, "FTP" (FTPS
// with explicit TLS and a password) and "SFTP" (key login, no pinned
// host key) and "Pinned" (password login, a pinned host key).
func seedTrusted(t testing.TB, env *testEnv) {
	seedAddressed(t, env)
	for _, spec := range []connectors.Spec{files.FTPSpec(), files.SFTPSpec()} {
		if err := env.sb.registry.Register(spec, memory.New); err != nil {
			t.Fatal(err)
		}
	}
	env.saveConnection(t, "FTP", "ftp", map[string]any{"host": "ftp.example.com", "username": "shop", "tls": "explicit"},
		map[string]string{"password": "old-password-1"})
	env.saveConnection(t, "SFTP", "sftp", map[string]any{"host": "sftp.example.com", "username": "shop"},
		map[string]string{"private_key": "old-key-1"})
	env.saveConnection(t, "Pinned", "sftp", map[string]any{"host": "sftp.example.com", "username": "shop",
		"host_key_fingerprint": "SHA256:old"}, map[string]string{"password": "old-password-1"})
}

// testCAPEM is a self-signed certificate authority in PEM, such as an
// attacker would have a connection trust.
func testCAPEM(t testing.TB) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Evil CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// configBody is a PATCH body setting a connection's config, and secrets
// when given.
func configBody(t testing.TB, config map[string]any, secrets map[string]string) string {
	body := map[string]any{"config": config}
	if secrets != nil {
		body["secrets"] = secrets
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWeakerTrustClearsSecrets(t *testing.T) {
	ca := testCAPEM(t)
	ftpConfig := func(more map[string]any) map[string]any {
		c := map[string]any{"host": "ftp.example.com", "username": "shop", "tls": "explicit"}
		for k, v := range more {
			c[k] = v
		}
		return c
	}
	ftpKept := func(tls string) func(testing.TB, *testEnv) {
		return func(t testing.TB, env *testEnv) {
			secretsAre("FTP", map[string]string{"password": "old-password-1"})(t, env)
			rec, _ := env.app.FindFirstRecordByData(connectionsCollection, "name", "FTP")
			if config, _ := recordConfig(rec); config["tls"] != tls {
				t.Fatalf("the FTP connection's tls is %v, want %s", config["tls"], tls)
			}
		}
	}
	patch := func(name, conn, body string, status int, want, notWant []string, after func(testing.TB, *testEnv)) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPatch, url: connectionURL(conn), body: body,
			seed: seedTrusted, status: status, want: want, notWant: notWant, after: after}
	}
	needed := func(change string) []string {
		return []string{`"password":{"code":"validation_secret_needed_again","message":"The address changed (` + change}
	}
	scenarios := []scenario{
		patch("FTP with TLS turned off refuses to keep the password", "FTP", configBody(t, ftpConfig(map[string]any{"tls": "none"}), nil),
			400, needed(`tls changed from \"explicit\" to \"none\")`), nil, ftpKept("explicit")),
		patch("FTP with TLS turned off takes a password typed again", "FTP",
			configBody(t, ftpConfig(map[string]any{"tls": "none"}), map[string]string{"password": "typed-again-2"}),
			200, []string{`"secrets_set":["password"]`}, []string{secretsClearedField},
			secretsAre("FTP", map[string]string{"password": "typed-again-2"})),
		patch("FTP trusting a new CA refuses to keep the password", "FTP", configBody(t, ftpConfig(map[string]any{"ca_cert": ca}), nil),
			400, needed(`ca_cert changed)`), nil, ftpKept("explicit")),
		patch("FTP pinning a certificate refuses to keep the password", "FTP",
			configBody(t, ftpConfig(map[string]any{"tls_fingerprint": "AB:CD"}), nil),
			400, needed(`tls_fingerprint changed from \"\" to \"AB:CD\")`), nil, ftpKept("explicit")),
		patch("FTP with its TLS mode as it was keeps the password", "FTP",
			configBody(t, ftpConfig(map[string]any{"username": "other", "folder": "/in"}), nil),
			200, []string{`"secrets_set":["password"]`}, []string{secretsClearedField}, ftpKept("explicit")),
		patch("HTTP trusting a new CA clears its secrets and says so", "ERP",
			configBody(t, map[string]any{"base_url": "https://erp.example.com/api", "auth": "bearer", "tls_ca": ca}, nil),
			200, []string{`"secrets_cleared":["password","token"]`, `"secrets_set":[]`, `The address changed (tls_ca changed)`}, nil,
			secretsAre("ERP", nil)),
		patch("SFTP pinning a host key where none was clears the key", "SFTP",
			configBody(t, map[string]any{"host": "sftp.example.com", "username": "shop", "host_key_fingerprint": "SHA256:evil"}, nil),
			200, []string{`"secrets_cleared":["private_key"]`, `host_key_fingerprint changed from \"\" to \"SHA256:evil\"`}, nil,
			secretsAre("SFTP", nil)),
		patch("SFTP with another pinned host key clears the password", "Pinned",
			configBody(t, map[string]any{"host": "sftp.example.com", "username": "shop", "host_key_fingerprint": "SHA256:evil"}, nil),
			200, []string{`"secrets_cleared":["password"]`, `host_key_fingerprint changed from \"SHA256:old\" to \"SHA256:evil\"`}, nil,
			secretsAre("Pinned", nil)),
		patch("SFTP with the same pinned host key keeps the password", "Pinned",
			configBody(t, map[string]any{"host": "sftp.example.com", "username": "other", "host_key_fingerprint": " SHA256:old "}, nil),
			200, []string{`"secrets_set":["password"]`}, []string{secretsClearedField},
			secretsAre("Pinned", map[string]string{"password": "old-password-1"})),
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// TestTrustFieldsAreKnown fails when a connector has a field that looks
// like it decides who can read the secrets in transit (TLS, a CA, a
// certificate, a fingerprint, a switch that skips verification) and is
// neither a trust field nor one known to be something else, so that a new
// one cannot keep secrets when it is weakened.
func TestTrustFieldsAreKnown(t *testing.T) {
	looksLikeTrust := regexp.MustCompile(`tls|ssl|(^|_)ca(_|$)|cert|fingerprint|host_key|insecure|verify|trust|pin`)
	// notTrust are such fields that do not decide who reads the secrets:
	// the client certificate is presented to the app, not trusted.
	notTrust := map[string]bool{"tls_client_cert": true}
	specs := append(connectors.Specs(), files.FTPSpec(), files.SFTPSpec())
	seen := map[string]bool{}
	for _, spec := range specs {
		for _, f := range spec.Fields {
			if f.Secret || !looksLikeTrust.MatchString(f.Name) || notTrust[f.Name] {
				continue
			}
			seen[f.Name] = true
			if !isTrustField(f) {
				t.Errorf("the %s connector's field %s looks like a trust field: list it in trustFields or notTrust", spec.Name, f.Name)
			}
		}
	}
	for name := range trustFields {
		if !seen[name] {
			t.Errorf("trustFields lists %s, which no connector has", name)
		}
	}
}
