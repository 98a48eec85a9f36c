package restapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors/rest"
	"github.com/switchboard-app/switchboard/connectors/rest/auth/authtest"
)

// accountAPI answers GET /v2/account {"name": "Shop X"} to a caller with
// any of its credentials, and has a login request.
func accountAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/v2/login" {
		var creds map[string]string
		_ = json.Unmarshal(body, &creds)
		if creds["username"] != "shop" || creds["password"] != "pass-1234" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"unknown user or wrong password"}`))
			return
		}
		_, _ = w.Write([]byte(`{"token":"login-token-1","expires_in":3600}`))
		return
	}
	if r.URL.Path != "/v2/account" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	user, pass, _ := r.BasicAuth()
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, []byte("sign-1234"))
	m.Write([]byte(r.Method + "\n" + r.URL.RequestURI() + "\n" + r.Header.Get("Date") + "\n" + hex.EncodeToString(sum[:])))
	switch {
	case r.Header.Get("Authorization") == "Bearer good-token-1", r.Header.Get("Authorization") == "Bearer login-token-1",
		user == "shop" && pass == "pass-1234", r.Header.Get("X-Api-Key") == "key-1234",
		r.Header.Get("Authorization") == "HMAC k1:"+base64.StdEncoding.EncodeToString(m.Sum(nil)):
		_, _ = w.Write([]byte(`{"name":"Shop X"}`))
	default:
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"the credentials are not valid"}`))
	}
}

func TestEveryKindOfAuthenticationGetsAVerdictAPersonUnderstands(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(accountAPI))
	defer api.Close()
	oauth := authtest.New(authtest.Options{ClientID: "switchboard", ClientSecret: "client-secret-1"})
	defer oauth.Close()
	const refused = "login refused: GET /v2/account: 401 Unauthorized: the credentials are not valid"
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]string
		want    string
	}{
		{"bearer", map[string]any{"auth": "bearer"}, map[string]string{"token": "good-token-1"}, "connected as Shop X"},
		{"bearer, wrong", map[string]any{"auth": "bearer"}, map[string]string{"token": "bad-token-1"}, refused},
		{"basic", map[string]any{"auth": "basic", "username": "shop"}, map[string]string{"password": "pass-1234"}, "connected as Shop X"},
		{"basic, wrong", map[string]any{"auth": "basic", "username": "shop"}, map[string]string{"password": "pass-9999"}, refused},
		{"api key", map[string]any{"auth": "api_key"}, map[string]string{"api_key": "key-1234"}, "connected as Shop X"},
		{"api key, wrong", map[string]any{"auth": "api_key"}, map[string]string{"api_key": "key-9999"}, refused},
		{"custom login", map[string]any{"auth": "custom_login", "username": "shop"}, map[string]string{"password": "pass-1234"}, "connected as Shop X"},
		{"custom login, wrong", map[string]any{"auth": "custom_login", "username": "shop"}, map[string]string{"password": "pass-9999"},
			"login refused: POST /v2/login: 401 Unauthorized: unknown user or wrong password"},
		{"hmac", map[string]any{"auth": "hmac", "hmac_key_id": "k1"}, map[string]string{"hmac_secret": "sign-1234"}, "connected as Shop X"},
		{"hmac, wrong", map[string]any{"auth": "hmac", "hmac_key_id": "k1"}, map[string]string{"hmac_secret": "sign-9999"}, refused},
		{"client credentials", map[string]any{"base_url": oauth.URL + "/api", "test_path": "me", "auth": "oauth2_client_credentials",
			"oauth_token_url": oauth.URL + "/token", "oauth_client_id": "switchboard"}, map[string]string{"oauth_client_secret": "client-secret-1"}, "connected as Shop X"},
		{"client credentials, wrong", map[string]any{"base_url": oauth.URL + "/api", "test_path": "me", "auth": "oauth2_client_credentials",
			"oauth_token_url": oauth.URL + "/token", "oauth_client_id": "switchboard"}, map[string]string{"oauth_client_secret": "client-secret-9"},
			"getting a token with the client credentials: login refused: "},
		{"oauth2, not connected", map[string]any{"base_url": oauth.URL + "/api", "test_path": "me", "auth": "oauth2",
			"oauth_auth_url": oauth.URL + "/authorize", "oauth_token_url": oauth.URL + "/token", "oauth_client_id": "switchboard"}, nil,
			"reconnect needed: the connection is not connected yet; press Connect"},
		{"a wrong test path", map[string]any{"auth": "bearer", "test_path": "nothing/here"}, map[string]string{"token": "good-token-1"},
			"the test address was not found, check the base URL: GET /v2/nothing/here: 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := map[string]any{"base_url": api.URL + "/v2", "entities": shopEntities, "test_path": "account", "test_name_path": "name"}
			for k, v := range tt.config {
				config[k] = v
			}
			res, err := open(t, config, tt.secrets).Test(context.Background())
			ok := strings.HasPrefix(tt.want, "connected")
			if err != nil || res.OK != ok || !strings.HasPrefix(res.Message, tt.want) {
				t.Fatalf("Test = %+v, %v; want ok=%v, %q", res, err, ok, tt.want)
			}
			for _, secret := range tt.secrets {
				if strings.Contains(res.Message, secret) {
					t.Fatalf("the verdict shows a secret: %q", res.Message)
				}
			}
		})
	}
}

func TestNetworkTroubleGetsAVerdictAPersonUnderstands(t *testing.T) {
	closed := httptest.NewServer(nil)
	refusedURL := closed.URL
	closed.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(accountAPI))
	defer tlsSrv.Close()
	tests := []struct {
		name, base, want string
		detail           string
	}{
		{"host not found", "https://no-such-shop.invalid", "host not found: no-such-shop.invalid", ""},
		{"nothing listens", refusedURL, "nothing answers at that address", ""},
		{"a certificate nobody vouches for", tlsSrv.URL, "the certificate of 127.0.0.1 is not trusted (SHA-256 fingerprint " + rest.Fingerprint(tlsSrv.Certificate()) + ")",
			rest.Fingerprint(tlsSrv.Certificate())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := open(t, map[string]any{"base_url": tt.base, "entities": shopEntities}, nil)
			res, err := c.Test(context.Background())
			if err != nil || res.OK || !strings.Contains(res.Message, tt.want) || res.Details["fingerprint"] != tt.detail {
				t.Fatalf("Test = %+v, %v; want %q", res, err, tt.want)
			}
		})
	}
}
