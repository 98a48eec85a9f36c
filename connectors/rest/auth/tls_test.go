package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// clientCert makes a certificate authority and a client certificate it
// signed, as PEM, and the authority's pool.
func clientCert(t *testing.T) (certPEM, keyPEM string, authority *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "switchboard"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	authority = x509.NewCertPool()
	authority.AddCert(ca)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})), authority
}

func TestMutualTLS(t *testing.T) {
	certPEM, keyPEM, authority := clientCert(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"client":"` + r.TLS.PeerCertificates[0].Subject.CommonName + `"}`))
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: authority}
	srv.StartTLS()
	defer srv.Close()
	serverCA := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	tests := []struct {
		name    string
		values  map[string]any
		secrets map[string]string
		want    string // in the error; "" for success
	}{
		{"a client certificate and the app's authority", map[string]any{"tls_client_cert": certPEM, "tls_ca": serverCA},
			map[string]string{"tls_client_key": keyPEM}, ""},
		{"no client certificate", map[string]any{"tls_ca": serverCA}, nil, "no answer"},
		{"the app's certificate is not trusted", map[string]any{"tls_client_cert": certPEM}, map[string]string{"tls_client_key": keyPEM},
			"the certificate of 127.0.0.1 is not trusted (SHA-256 fingerprint " + rest.Fingerprint(srv.Certificate()) + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := get(t, client(t, srv.URL, resolve(t, tt.values, tt.secrets), connectors.Env{}), "me")
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("call = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBadCertificatesAreNamed(t *testing.T) {
	certPEM, keyPEM, _ := clientCert(t)
	tests := []struct {
		name    string
		values  map[string]any
		secrets map[string]string
		field   string
	}{
		{"a key without its certificate", nil, map[string]string{"tls_client_key": keyPEM}, "tls_client_cert"},
		{"a certificate without its key", map[string]any{"tls_client_cert": certPEM}, nil, "tls_client_key"},
		{"not PEM", map[string]any{"tls_client_cert": "hello"}, map[string]string{"tls_client_key": keyPEM}, "tls_client_cert"},
		{"an authority that is not PEM", map[string]any{"tls_ca": "hello"}, nil, "tls_ca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := TLSConfig(resolve(t, tt.values, tt.secrets))
			var ve *connectors.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
				t.Fatalf("TLSConfig = %v, want an error on %s", err, tt.field)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Fatalf("the error quotes the key: %v", err)
			}
		})
	}
}
