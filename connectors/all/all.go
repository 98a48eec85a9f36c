// Package all imports every connector, so that each registers itself with
// the default registry. main imports it; so do tests that need them all.
package all

import (
	// The connectors, one import each.
	_ "github.com/switchboard-app/switchboard/connectors/adobecommerce"
	_ "github.com/switchboard-app/switchboard/connectors/businesscentral"
	_ "github.com/switchboard-app/switchboard/connectors/exactonline"
	_ "github.com/switchboard-app/switchboard/connectors/files" // folder, ftp, sftp
	_ "github.com/switchboard-app/switchboard/connectors/httpjson"
	_ "github.com/switchboard-app/switchboard/connectors/memory"
	_ "github.com/switchboard-app/switchboard/connectors/restapi"
	_ "github.com/switchboard-app/switchboard/connectors/shopify"
	_ "github.com/switchboard-app/switchboard/connectors/shopware"
	_ "github.com/switchboard-app/switchboard/connectors/tryton"
	_ "github.com/switchboard-app/switchboard/connectors/woocommerce"
	_ "github.com/switchboard-app/switchboard/connectors/xero"
)
