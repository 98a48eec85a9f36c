package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

func TestStaticCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		ok := r.Header.Get("X-Api-Key") == "key-1234" || r.URL.Query().Get("apikey") == "key-1234" ||
			(user == "shop" && pass == "pass-1234") || r.Header.Get("Authorization") == "Bearer tok-1234"
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		values  map[string]any
		secrets map[string]string
		ok      bool
	}{
		{"api key in a header", map[string]any{"auth": KindAPIKey}, map[string]string{"api_key": "key-1234"}, true},
		{"api key in the query", map[string]any{"auth": KindAPIKey, "api_key_in": "query", "api_key_name": "apikey"}, map[string]string{"api_key": "key-1234"}, true},
		{"basic", map[string]any{"auth": KindBasic, "username": "shop"}, map[string]string{"password": "pass-1234"}, true},
		{"bearer", map[string]any{"auth": KindBearer}, map[string]string{"token": "tok-1234"}, true},
		{"a wrong api key", map[string]any{"auth": KindAPIKey}, map[string]string{"api_key": "key-9999"}, false},
		{"a wrong password", map[string]any{"auth": KindBasic, "username": "shop"}, map[string]string{"password": "nope-1234"}, false},
		{"none", map[string]any{"auth": KindNone}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := get(t, client(t, srv.URL, resolve(t, tt.values, tt.secrets), connectors.Env{}), "orders")
			class, _ := connectors.Classify(err)
			if (err == nil) != tt.ok || (!tt.ok && (class != connectors.ClassPermanent || !strings.Contains(err.Error(), "401 Unauthorized"))) {
				t.Fatalf("call = %v (%s), want ok=%v or a permanent 401", err, class, tt.ok)
			}
		})
	}
}

func TestValidateNamesWhatAKindLacks(t *testing.T) {
	tests := []struct {
		kind string
		want []string
	}{
		{KindAPIKey, []string{"api_key"}},
		{KindBasic, []string{"username", "password"}},
		{KindBearer, []string{"token"}},
		{KindHMAC, []string{"hmac_secret"}},
		{KindLogin, []string{"username", "password"}},
		{KindClientCredentials, []string{"oauth_token_url", "oauth_client_id", "oauth_client_secret"}},
		{KindOAuth2, []string{"oauth_auth_url", "oauth_token_url", "oauth_client_id"}},
		{KindNone, nil},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			problems := Validate(resolve(t, map[string]any{"auth": tt.kind}, nil))
			if len(problems) != len(tt.want) {
				t.Fatalf("Validate = %v, want problems with %v", problems, tt.want)
			}
			for _, field := range tt.want {
				if !strings.Contains(problems[field], "is required for "+tt.kind) {
					t.Errorf("%s: %q", field, problems[field])
				}
			}
		})
	}
	bad := resolve(t, map[string]any{"auth": KindHMAC, "hmac_string": "{method} {sha}"}, map[string]string{"hmac_secret": "s3cret"})
	if msg := Validate(bad)["hmac_string"]; msg != "unknown placeholder {sha}" {
		t.Fatalf("an unknown placeholder: %q", msg)
	}
}

// TestAnAPIKeyInTheQueryLeavesTheRestOfItAsItIs: the key is added to the
// query of an address as the app wrote it (a next page's link, signed or
// with commas in a list of fields), which is sent as it is, not decoded
// and written again in another order or escaping.
func TestAnAPIKeyInTheQueryLeavesTheRestOfItAsItIs(t *testing.T) {
	a := newAPIKey(resolve(t, map[string]any{"auth": KindAPIKey, "api_key_in": "query", "api_key_name": "api_key"}, map[string]string{"api_key": "k y&1"}))
	tests := []struct{ url, want string }{
		{"https://api.example.com/items?zeta=1&fields=id,sku&sig=a%2Fb", "zeta=1&fields=id,sku&sig=a%2Fb&api_key=k+y%261"},
		{"https://api.example.com/items", "api_key=k+y%261"},
		{"https://api.example.com/items?api_key=old&b=1", "api_key=k+y%261&b=1"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, tt.url, nil)
		if err := a.Authorize(t.Context(), req, nil); err != nil || req.URL.RawQuery != tt.want {
			t.Errorf("%s: the query sent is %q (%v), want %q", tt.url, req.URL.RawQuery, err, tt.want)
		}
	}
}
