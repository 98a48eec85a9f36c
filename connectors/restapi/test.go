package restapi

import (
	"context"
	"fmt"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/rest"
)

// Test asks the test path with the connection's credentials and says what
// it found: "connected as <name>" when the answer names the account, or
// why not, in words (rest.Verdict).
func (c *Conn) Test(ctx context.Context) (connectors.TestResult, error) {
	res, err := c.client.Do(ctx, rest.Request{Path: c.settings.TestPath})
	if err != nil {
		return rest.FailedTest(err), nil
	}
	if err := webPage(res); err != nil {
		return connectors.TestResult{OK: false, Message: err.Error()}, nil
	}
	if c.settings.TestNamePath != "" {
		var answer any
		if err := res.Decode(&answer); err != nil {
			return connectors.TestResult{OK: false, Message: err.Error()}, nil
		}
		if name := rest.LookupString(answer, c.settings.TestNamePath); name != "" {
			return connectors.TestResult{OK: true, Message: "connected as " + name}, nil
		}
	}
	return connectors.TestResult{OK: true, Message: fmt.Sprintf("connected: %s answered %s", c.base.Host, connectors.StatusText(res.Status))}, nil
}
