package app

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
	"github.com/switchboard-app/switchboard/connectors/shopware"
	"github.com/switchboard-app/switchboard/connectors/shopware/shopwaretest"
)

// shopwareEvent is a product.written app webhook as Shopware sends it:
// the product's id only.
func shopwareEvent(productID, eventID string) string {
	return `{"data":{"payload":[{"entity":"product","operation":"update","primaryKey":"` + productID +
		`","updatedFields":["stock","updatedAt"],"versionId":"0fa91ce3e96a4bc2be4bd9ce752c3425"}],"event":"product.written"},` +
		`"source":{"url":"https://shop.example","appVersion":"1.0.0","shopId":"dgrH7nLU6tlE","eventId":"` + eventID + `"},"timestamp":1740823200}`
}

// shopwareSigned are the headers Shopware sends with a body signed with
// the app's secret.
func shopwareSigned(secret, body string) map[string]string {
	return map[string]string{"Content-Type": "application/json",
		"shopware-shop-signature": hex.EncodeToString(connectors.SignHMACSHA256(secret, []byte(body)))}
}

// TestShopwareProductWebhookToAFolder: a signed product.written call to
// the flow's webhook address puts the product, fetched from the shop (the
// fake of Shopware's own Admin API spec), through the flow into a folder;
// its redelivery is not taken twice; a call with a bad signature is
// answered 401; a delete takes nothing; and a call whose records cannot be fetched is answered
// 503 and not remembered, so that Shopware sends it again.
func TestShopwareProductWebhookToAFolder(t *testing.T) {
	const secret = "shop-secret-from-the-app-registration-7f3a"
	shop := shopwaretest.New(t)
	cable := shop.AddProduct("CBL-3M", "Speaker cable 3 m", 7)
	env := newEnvWith(t, connectors.Registration{Spec: shopware.Spec, New: shopware.New})
	root, err := CreateFilesDir(env.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(root, "out")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	src := env.saveConnection(t, "Shopware", "shopware", shop.Config(), shop.Secrets())
	dst := env.saveConnection(t, "Product files", "folder", map[string]any{"folder": "out"}, nil)
	flow := env.flowBetween(t, src, dst, string(connectors.Product), map[string]any{"webhook": true, "webhook_secret": secret,
		"options": map[string]any{"target": map[string]any{"format": "ndjson"}}})
	mux := servedMux(t, env)
	hook := "/hooks/" + flow.Id

	body := shopwareEvent(cable["id"].(string), "0193a3c5e2f07c1b9d6c1f4e2a7b8c90")
	if code, answer := get(t, mux, http.MethodPost, hook, loopback, body, shopwareSigned(secret, body)); code != http.StatusOK || !strings.Contains(answer, `"accepted":1`) {
		t.Fatalf("the signed call was answered %d %s", code, answer)
	}
	within(t, 2*time.Minute, "the product in the folder", func() bool { return writtenProduct(t, folder) != nil })
	if p := writtenProduct(t, folder); p["name"] != "Speaker cable 3 m" || fmt.Sprint(p["stock_quantity"]) != "7" ||
		fmt.Sprint(p["prices"].(map[string]any)["tax_rate"]) != "21" {
		t.Fatalf("the folder holds %v; want the product as the shop has it, with its tax rate", p)
	}

	if code, answer := get(t, mux, http.MethodPost, hook, loopback, body, shopwareSigned(secret, body)); code != http.StatusOK || !strings.Contains(answer, `"duplicate":true`) {
		t.Fatalf("the redelivery was answered %d %s", code, answer)
	}
	other := shopwareEvent(cable["id"].(string), "0193a3c5e2f07c1b9d6c1f4e2a7b8c91")
	if code, _ := get(t, mux, http.MethodPost, hook, loopback, other, shopwareSigned("not-the-app-secret", other)); code != http.StatusUnauthorized {
		t.Fatalf("a call with a bad signature was answered %d, want 401", code)
	}
	deleted := strings.NewReplacer(`"operation":"update"`, `"operation":"delete"`, "7c1b9d6c1f4e2a7b8c90", "7c1b9d6c1f4e2a7b8c92").Replace(body)
	if code, answer := get(t, mux, http.MethodPost, hook, loopback, deleted, shopwareSigned(secret, deleted)); code != http.StatusOK || !strings.Contains(answer, `"accepted":0`) {
		t.Fatalf("a delete was answered %d %s, want 200 taking nothing", code, answer)
	}
	if n := countTransactions(t, env); n != 1 {
		t.Fatalf("%d transactions after the redelivery, the bad call and the delete, want 1", n)
	}

	seenBefore := countSeenKeys(t, env)
	shop.Handle("POST /search/product", func(*spectest.Call) spectest.Reply {
		return spectest.JSON(http.StatusServiceUnavailable, map[string]any{"errors": []any{map[string]any{"status": "503", "title": "Service Unavailable"}}})
	})
	if code, answer := get(t, mux, http.MethodPost, hook, loopback, other, shopwareSigned(secret, other)); code != http.StatusServiceUnavailable ||
		!strings.Contains(answer, "could not be fetched") {
		t.Fatalf("a call whose product could not be fetched was answered %d %s, want 503", code, answer)
	}
	if n := countSeenKeys(t, env); n != seenBefore || countTransactions(t, env) != 1 {
		t.Fatalf("after the failed fetch: %d keys of deliveries remembered, %d transactions; want the %d of the first and the delete only, and 1",
			n, countTransactions(t, env), seenBefore)
	}
}

// writtenProduct is the one product record in the folder's files, nil
// while there is none.
func writtenProduct(t *testing.T, folder string) map[string]any {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(folder, "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	var found []map[string]any
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		for sc := bufio.NewScanner(f); sc.Scan(); {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			found = append(found, rec)
		}
		_ = f.Close()
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
		return found[0]
	}
	t.Fatalf("the folder holds %d records, want 1: %v", len(found), found)
	return nil
}
