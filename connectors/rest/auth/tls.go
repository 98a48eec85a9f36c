package auth

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"

	"github.com/switchboard-app/switchboard/connectors"
)

// HTTPClient returns base, or when the connection has a client
// certificate (mutual TLS) or an authority of its own to trust, a copy of
// base whose transport presents and trusts them. Bad PEM is refused with a
// *connectors.ValidationError naming the field.
func HTTPClient(cfg connectors.Config, base *http.Client) (*http.Client, error) {
	conf, err := TLSConfig(cfg)
	if err != nil || conf == nil {
		return base, err
	}
	if base == nil {
		base = http.DefaultClient
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if t, ok := base.Transport.(*http.Transport); ok {
		transport = t.Clone()
	}
	transport.TLSClientConfig = conf
	client := *base
	client.Transport = transport
	return &client, nil
}

// TLSConfig builds the TLS settings of the connection's client certificate
// and trusted authority; nil when it has neither.
func TLSConfig(cfg connectors.Config) (*tls.Config, error) {
	cert, key, ca := cfg.String("tls_client_cert"), cfg.Secret("tls_client_key"), cfg.String("tls_ca")
	if cert == "" && key == "" && ca == "" {
		return nil, nil
	}
	problems := map[string]string{}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case cert != "" && key != "":
		pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
		if err != nil {
			problems["tls_client_cert"] = "the certificate and key do not form a pair: " + err.Error()
		}
		conf.Certificates = []tls.Certificate{pair}
	case cert != "":
		problems["tls_client_key"] = "is required with a client certificate"
	case key != "":
		problems["tls_client_cert"] = "is required with a client certificate key"
	}
	if ca != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(ca)) {
			problems["tls_ca"] = "holds no PEM certificate"
		}
		conf.RootCAs = pool
	}
	if len(problems) > 0 {
		return nil, &connectors.ValidationError{Connector: "tls", Fields: problems}
	}
	return conf, nil
}
