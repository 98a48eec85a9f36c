package auth

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
)

// signer signs each request with an HMAC over a text made of its parts,
// as apps that sign requests do: typically the method, the path, a date
// and a hash of the body, in a header.
type signer struct {
	keyID, secret   string
	hash            func() hash.Hash
	hexEncoded      bool
	text            string // the signed text's template
	header, value   string // the signature's header and its value's template
	dateHeader      string
	timestampHeader string
	nonceHeader     string
	now             func() time.Time
}

func newSigner(cfg connectors.Config) *signer {
	return &signer{
		keyID: cfg.String("hmac_key_id"), secret: cfg.Secret("hmac_secret"),
		hash: hashOf(cfg.String("hmac_algorithm")), hexEncoded: cfg.String("hmac_encoding") == "hex",
		text:   strings.ReplaceAll(cfg.String("hmac_string"), `\n`, "\n"),
		header: cfg.String("hmac_header"), value: cfg.String("hmac_value"),
		dateHeader: cfg.String("hmac_date_header"), timestampHeader: cfg.String("hmac_timestamp_header"),
		nonceHeader: cfg.String("hmac_nonce_header"), now: time.Now,
	}
}

func hashOf(name string) func() hash.Hash {
	switch name {
	case "sha512":
		return sha512.New
	case "sha1":
		return sha1.New
	}
	return sha256.New
}

// placeholder matches a {name} in a template.
var placeholder = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// knownPlaceholders are the names a signed text or header value may use.
var knownPlaceholders = map[string]bool{"{method}": true, "{path}": true, "{date}": true, "{timestamp}": true,
	"{nonce}": true, "{body}": true, "{body_sha256}": true, "{body_md5}": true, "{content_type}": true,
	"{key_id}": true, "{signature}": true}

func checkTemplate(cfg connectors.Config, problems map[string]string) {
	for _, field := range []string{"hmac_string", "hmac_value"} {
		for _, p := range placeholder.FindAllString(cfg.String(field), -1) {
			if !knownPlaceholders[p] || (field == "hmac_string" && p == "{signature}") {
				problems[field] = "unknown placeholder " + p
			}
		}
	}
}

// Authorize sets the date, timestamp and nonce headers the text uses and
// the signature header.
func (s *signer) Authorize(_ context.Context, req *http.Request, body []byte) error {
	now := s.now().UTC()
	parts := map[string]string{
		"{method}": req.Method, "{path}": req.URL.RequestURI(), "{key_id}": s.keyID,
		"{date}": now.Format(http.TimeFormat), "{timestamp}": strconv.FormatInt(now.Unix(), 10),
		"{content_type}": req.Header.Get("Content-Type"), "{body}": string(body),
	}
	if strings.Contains(s.text+s.value, "{nonce}") {
		parts["{nonce}"] = nonce()
		req.Header.Set(s.nonceHeader, parts["{nonce}"])
	}
	if strings.Contains(s.text, "{body_sha256}") {
		sum := sha256.Sum256(body)
		parts["{body_sha256}"] = hex.EncodeToString(sum[:])
	}
	if strings.Contains(s.text, "{body_md5}") {
		sum := md5.Sum(body)
		parts["{body_md5}"] = base64.StdEncoding.EncodeToString(sum[:])
	}
	if strings.Contains(s.text, "{date}") {
		req.Header.Set(s.dateHeader, parts["{date}"])
	}
	if strings.Contains(s.text, "{timestamp}") {
		req.Header.Set(s.timestampHeader, parts["{timestamp}"])
	}
	parts["{signature}"] = s.sign(fill(s.text, parts))
	req.Header.Set(s.header, fill(s.value, parts))
	return nil
}

func (s *signer) sign(text string) string {
	m := hmac.New(s.hash, []byte(s.secret))
	m.Write([]byte(text))
	if s.hexEncoded {
		return hex.EncodeToString(m.Sum(nil))
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// fill replaces each known {name} of a template by its part.
func fill(template string, parts map[string]string) string {
	return placeholder.ReplaceAllStringFunc(template, func(p string) string {
		if v, ok := parts[p]; ok {
			return v
		}
		return p
	})
}

func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
