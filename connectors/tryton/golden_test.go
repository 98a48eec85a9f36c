package tryton

import (
	"testing"

	"github.com/switchboard-app/switchboard/connectors/internal/mappingtest"
)

// TestGoldenMappings runs testdata/golden through the default mappings.
func TestGoldenMappings(t *testing.T) { mappingtest.Golden(t, Mappings, nil) }
