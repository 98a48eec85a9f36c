package exactonline

import (
	"os"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestTheDocumentationNamesEveryField: the connector's page lists every
// connection field and flow option of its spec.
func TestTheDocumentationNamesEveryField(t *testing.T) {
	page, err := os.ReadFile("../../docs/connectors/exactonline.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(append([]string{}, names(Spec.Fields)...), names(Spec.FlowFields)...) {
		if !strings.Contains(string(page), "`"+f+"`") {
			t.Errorf("docs/connectors/exactonline.md does not name %s", f)
		}
	}
}

func names(fields []connectors.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}
