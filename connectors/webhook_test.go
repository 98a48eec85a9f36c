package connectors

import (
	"encoding/hex"
	"net/http"
	"testing"
)

func TestVerifyHexHMACSHA256(t *testing.T) {
	body := []byte(`{"id":1}`)
	good := hex.EncodeToString(SignHMACSHA256("s3cret", body))
	tests := []struct {
		name, header, secret string
		body                 []byte
		ok                   bool
	}{
		{"valid", good, "s3cret", body, true},
		{"other secret", good, "other", body, false},
		{"no secret configured", good, "", body, false},
		{"changed body", good, "s3cret", []byte(`{"id":2}`), false},
		{"missing header", "", "s3cret", body, false},
		{"not hex", "zz", "s3cret", body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("X-Signature", tt.header)
			}
			err := VerifyHexHMACSHA256(WebhookRequest{Header: h, Body: tt.body, Secret: tt.secret}, "X-Signature")
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
