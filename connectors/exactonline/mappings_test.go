package exactonline

import (
	"testing"

	"github.com/switchboard-app/switchboard/mappings/mappingtest"
)

func TestDefaultMappings(t *testing.T) { mappingtest.Run(t, Mappings, "testdata/mappings") }
