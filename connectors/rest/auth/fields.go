package auth

import "github.com/switchboard-app/switchboard/connectors"

// Fields returns the config fields of the given kinds of authentication:
// the "auth" select (its first kind the default) and each kind's fields,
// once each, in a stable order. A connector puts them in its spec.
func Fields(kinds ...string) []connectors.Field {
	out := []connectors.Field{{Name: "auth", Title: "Authentication", Type: connectors.TypeSelect,
		Default: kinds[0], Options: kinds, Help: "How requests prove who they are."}}
	seen := map[string]bool{}
	for _, kind := range kinds {
		for _, f := range kindFields[kind] {
			if !seen[f.Name] {
				seen[f.Name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// SpecKinds returns the connectors.AuthKind of each kind, for Spec.Auth.
func SpecKinds(kinds ...string) []connectors.AuthKind {
	out := make([]connectors.AuthKind, len(kinds))
	for i, k := range kinds {
		out[i] = connectors.AuthKind(k)
	}
	return out
}

// Managed secrets: tokens Switchboard obtains and keeps, sealed, in the
// connection's secrets. Nobody types them.
const (
	AccessTokenSecret  = "oauth_access_token"
	RefreshTokenSecret = "oauth_refresh_token"
	TokenInfoSecret    = "oauth_token_info"
	LoginTokenSecret   = "login_token"
	LoginInfoSecret    = "login_token_info"
)

var (
	username = connectors.Field{Name: "username", Title: "User name", Type: connectors.TypeString,
		Help: "The user to sign in as."}
	password = connectors.Field{Name: "password", Title: "Password", Type: connectors.TypeString, Secret: true,
		Help: "The user's password."}
	tokenURL = connectors.Field{Name: "oauth_token_url", Title: "Token URL", Type: connectors.TypeURL,
		Help: "The authorization server's token endpoint.", Example: "https://auth.example.com/oauth/token"}
	clientID = connectors.Field{Name: "oauth_client_id", Title: "Client ID", Type: connectors.TypeString,
		Help: "The client id the app gave Switchboard."}
	clientSecret = connectors.Field{Name: "oauth_client_secret", Title: "Client secret", Type: connectors.TypeString, Secret: true,
		Help: "The client secret the app gave Switchboard (none for a public client using PKCE alone)."}
	scopes = connectors.Field{Name: "oauth_scopes", Title: "Scopes", Type: connectors.TypeString,
		Help: "The scopes to ask for, separated by spaces.", Example: "orders:read orders:write"}
	authStyle = connectors.Field{Name: "oauth_auth_style", Title: "Client authentication", Type: connectors.TypeSelect,
		Default: "auto", Options: []string{"auto", "header", "body"}, Advanced: true,
		Help: "How the client id and secret go to the token endpoint: Basic authentication (header), form fields (body), or try both (auto)."}
	accessTokenField = managed(AccessTokenSecret, "Access token", "The OAuth2 access token Switchboard obtained.")
	tokenInfoField   = managed(TokenInfoSecret, "Token facts", "When the OAuth2 token expires; kept by Switchboard.")
)

func managed(name, title, help string) connectors.Field {
	return connectors.Field{Name: name, Title: title, Type: connectors.TypeString, Secret: true, Advanced: true,
		Help: help + " Set by Switchboard itself; leave it empty."}
}

// kindFields are the fields of each kind.
var kindFields = map[string][]connectors.Field{
	KindAPIKey: {
		{Name: "api_key", Title: "API key", Type: connectors.TypeString, Secret: true, Help: "The key the app gave you."},
		{Name: "api_key_name", Title: "API key name", Type: connectors.TypeString, Default: "X-Api-Key",
			Help: "The header, or query parameter, that carries the key."},
		{Name: "api_key_in", Title: "Send the API key in", Type: connectors.TypeSelect, Default: "header",
			Options: []string{"header", "query"}, Help: "A request header, or a query parameter of every address."},
	},
	KindBasic:             {username, password},
	KindBearer:            {{Name: "token", Title: "Token", Type: connectors.TypeString, Secret: true, Help: "Sent as Authorization: Bearer <token>."}},
	KindLogin:             append([]connectors.Field{username, password}, loginFields...),
	KindHMAC:              hmacFields,
	KindClientCredentials: {tokenURL, clientID, clientSecret, scopes, authStyle, accessTokenField, tokenInfoField},
	KindOAuth2: {
		{Name: "oauth_auth_url", Title: "Authorization URL", Type: connectors.TypeURL,
			Help: "The app's consent page, where Connect sends you.", Example: "https://auth.example.com/oauth/authorize"},
		tokenURL, clientID, clientSecret, scopes, authStyle, accessTokenField,
		managed(RefreshTokenSecret, "Refresh token", "The OAuth2 refresh token Switchboard obtained."),
		tokenInfoField,
	},
}

var loginFields = []connectors.Field{
	{Name: "login_path", Title: "Login path", Type: connectors.TypeString, Default: "login",
		Help: "Where the credentials are posted, relative to the base URL."},
	{Name: "login_body", Title: "Login body", Type: connectors.TypeText, Default: `{"username": "{username}", "password": "{password}"}`,
		Help: "The JSON posted; {username} and {password} are replaced (JSON-escaped)."},
	{Name: "login_token_path", Title: "Token path", Type: connectors.TypeString, Default: "token",
		Help: "Where the answer holds the token, as a dotted path such as data.token."},
	{Name: "login_expires_path", Title: "Lifetime path", Type: connectors.TypeString, Default: "expires_in", Advanced: true,
		Help: "Where the answer holds the token's lifetime: seconds, or when it expires (a date and time, or a Unix time in seconds or milliseconds)."},
	{Name: "login_lifetime", Title: "Token lifetime", Type: connectors.TypeDuration, Default: "1h", Advanced: true,
		Help: "How long a token is used when the answer does not say."},
	{Name: "login_header", Title: "Token header", Type: connectors.TypeString, Default: "Authorization", Advanced: true,
		Help: "The header that carries the token."},
	{Name: "login_prefix", Title: "Token prefix", Type: connectors.TypeString, Default: "Bearer ", Advanced: true,
		Help: "Put before the token in the header, such as \"Bearer \". A scheme name (\"Bearer\", \"Token\") is followed by a space; anything else (\"token=\") is put right before the token."},
	managed(LoginTokenSecret, "Login token", "The token the last login returned."),
	managed(LoginInfoSecret, "Login token facts", "When the login token expires; kept by Switchboard."),
}

var hmacFields = []connectors.Field{
	{Name: "hmac_key_id", Title: "Key id", Type: connectors.TypeString, Help: "The public id of the signing key, {key_id} below."},
	{Name: "hmac_secret", Title: "Signing secret", Type: connectors.TypeString, Secret: true, Help: "The secret requests are signed with."},
	{Name: "hmac_algorithm", Title: "Hash", Type: connectors.TypeSelect, Default: "sha256",
		Options: []string{"sha256", "sha512", "sha1"}, Help: "The HMAC's hash function."},
	{Name: "hmac_encoding", Title: "Signature encoding", Type: connectors.TypeSelect, Default: "base64",
		Options: []string{"base64", "hex"}, Help: "How the signature is written."},
	{Name: "hmac_string", Title: "Signed text", Type: connectors.TypeText, Default: `{method}\n{path}\n{date}\n{body_sha256}`,
		Help: `What is signed: {method}, {path} (with the query), {date}, {timestamp} (Unix seconds), {nonce}, {body}, ` +
			`{body_sha256} (hex), {body_md5} (base64), {content_type}, {key_id}; \n is a line break.`},
	{Name: "hmac_header", Title: "Signature header", Type: connectors.TypeString, Default: "Authorization",
		Help: "The header that carries the signature."},
	{Name: "hmac_value", Title: "Signature header value", Type: connectors.TypeString, Default: "HMAC {key_id}:{signature}",
		Help: "The header's value; {signature} is the signature, {key_id}, {timestamp}, {nonce} as above."},
	{Name: "hmac_date_header", Title: "Date header", Type: connectors.TypeString, Default: "Date", Advanced: true,
		Help: "The header that carries {date} (HTTP date format) when it is signed."},
	{Name: "hmac_timestamp_header", Title: "Timestamp header", Type: connectors.TypeString, Default: "X-Timestamp", Advanced: true,
		Help: "The header that carries {timestamp} when it is signed."},
	{Name: "hmac_nonce_header", Title: "Nonce header", Type: connectors.TypeString, Default: "X-Nonce", Advanced: true,
		Help: "The header that carries {nonce} when it is signed."},
}

// TLSFields are the fields of a client certificate (mutual TLS) and of
// the server certificates to trust, an option to every kind.
var TLSFields = []connectors.Field{
	{Name: "tls_client_cert", Title: "Client certificate", Type: connectors.TypeText, Advanced: true,
		Help: "A PEM certificate (chain) to present to the app, for mutual TLS."},
	{Name: "tls_client_key", Title: "Client certificate key", Type: connectors.TypeText, Secret: true, Advanced: true,
		Help: "The PEM private key of the client certificate."},
	{Name: "tls_ca", Title: "Trusted certificate authority", Type: connectors.TypeText, Advanced: true,
		Help: "A PEM certificate to trust for the app's address besides the system's, for an in-house authority."},
}
