package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Registrar registers and removes webhooks in an app with two calls:
// POST Path with Body, whose answer holds the registration's id at IDPath;
// and DELETE RemovePath with {id} replaced. A connector's RegisterWebhook
// and RemoveWebhook hand over to it.
type Registrar struct {
	Client *rest.Client
	// Path is where a registration is posted ("webhooks").
	Path string
	// Body is the JSON posted: {url}, {secret} and {entity} are replaced,
	// JSON-escaped. {"url": "{url}", "secret": "{secret}"} when "".
	Body string
	// IDPath is where the answer holds the registration's id ("id" when "").
	IDPath string
	// RemovePath is where a registration is deleted, {id} replaced
	// ("webhooks/{id}").
	RemovePath string
}

// Register posts the registration and returns its id.
func (r Registrar) Register(ctx context.Context, reg connectors.WebhookRegistration) (string, error) {
	if r.Path == "" {
		return "", connectors.ErrNoWebhookAPI
	}
	body := r.Body
	if body == "" {
		body = `{"url": "{url}", "secret": "{secret}"}`
	}
	body = strings.NewReplacer("{url}", jsonText(reg.URL), "{secret}", jsonText(reg.Secret), "{entity}", jsonText(string(reg.Entity))).Replace(body)
	if !json.Valid([]byte(body)) {
		return "", connectors.Permanent(errors.New("the webhook registration body is not JSON once filled in"))
	}
	var answer any
	if _, err := r.Client.DoJSON(ctx, rest.Request{Method: http.MethodPost, Path: r.Path, Body: []byte(body),
		ContentType: "application/json"}, &answer); err != nil {
		return "", fmt.Errorf("registering the webhook: %w", err)
	}
	idPath := r.IDPath
	if idPath == "" {
		idPath = "id"
	}
	id := rest.LookupString(answer, idPath)
	if id == "" {
		return "", connectors.Permanent(fmt.Errorf("registering the webhook: the answer holds no id at %q", idPath))
	}
	return id, nil
}

// Remove deletes a registration; one the app no longer knows (404, 410)
// is gone already.
func (r Registrar) Remove(ctx context.Context, id string) error {
	if r.RemovePath == "" {
		return connectors.ErrNoWebhookAPI
	}
	path := strings.ReplaceAll(r.RemovePath, "{id}", url.PathEscape(id))
	_, err := r.Client.Do(ctx, rest.Request{Method: http.MethodDelete, Path: path})
	var se *rest.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("removing the webhook: %w", err)
	}
	return nil
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return strings.TrimSuffix(strings.TrimPrefix(string(b), `"`), `"`)
}
