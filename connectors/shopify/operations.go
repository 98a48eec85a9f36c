package shopify

// The GraphQL operations the connector sends: every one is here, and
// TestOperationsAreValid validates each against Shopify's published
// schema and checks that its cost at its page size stays under Shopify's
// limit for one query (1,000 points).

// Page sizes, chosen so that each list's requested cost stays under the
// limit: a connection costs its first argument times what one node costs.
const (
	ordersPage    = 3 // with 20 lines each; the rest of a longer order comes with orderLinesOp
	productsPage  = 8 // with 20 variants each; the rest with productVariantsOp
	customersPage = 100
	itemsPage     = 30 // inventory items, with 10 levels each
)

// An operation is one GraphQL document with the name of its operation.
type operation struct {
	name, doc string
}

const moneyFragment = `
fragment Money on MoneyBag { shopMoney { amount currencyCode } }`

const addressFragment = `
fragment Address on MailingAddress {
  firstName lastName name company address1 address2 city zip province provinceCode countryCodeV2 phone
}`

const lineFragment = `
fragment Line on LineItem {
  id sku name title quantity currentQuantity
  originalUnitPriceSet { ...Money }
  discountedUnitPriceSet { ...Money }
  totalDiscountSet { ...Money }
  discountAllocations { allocatedAmountSet { ...Money } }
  taxLines { title rate ratePercentage priceSet { ...Money } }
}`

const orderFragment = `
fragment Order on Order {
  id name createdAt processedAt updatedAt cancelledAt closedAt sourceName email phone currencyCode taxesIncluded
  displayFinancialStatus displayFulfillmentStatus note tags paymentGatewayNames discountCodes
  customer { id email firstName lastName phone }
  billingAddress { ...Address }
  shippingAddress { ...Address }
  shippingLine { title code carrierIdentifier originalPriceSet { ...Money } }
  subtotalPriceSet { ...Money }
  totalShippingPriceSet { ...Money }
  totalDiscountsSet { ...Money }
  totalTaxSet { ...Money }
  totalPriceSet { ...Money }
  currentSubtotalPriceSet { ...Money }
  currentTotalDiscountsSet { ...Money }
  currentTotalTaxSet { ...Money }
  currentTotalPriceSet { ...Money }
  lineItems(first: 20) { nodes { ...Line } pageInfo { hasNextPage endCursor } }
}` + lineFragment + addressFragment + moneyFragment

var (
	shopOp = operation{"Shop", `query Shop { shop { name myshopifyDomain currencyCode } }`}

	ordersOp = operation{"Orders", `
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ...Order }
    pageInfo { hasNextPage endCursor }
  }
}` + orderFragment}

	orderLinesOp = operation{"OrderLines", `
query OrderLines($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 60, after: $after) { nodes { ...Line } pageInfo { hasNextPage endCursor } }
  }
}` + lineFragment + moneyFragment}

	customersOp = operation{"Customers", `
query Customers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id email firstName lastName phone locale tags note createdAt updatedAt
      defaultAddress { ...Address }
    }
    pageInfo { hasNextPage endCursor }
  }
}` + addressFragment}
)

const variantFragment = `
fragment Variant on ProductVariant {
  id sku barcode title price compareAtPrice inventoryQuantity position
  selectedOptions { name value }
  inventoryItem { id measurement { weight { value unit } } }
}`

const productFragment = `
fragment Product on Product {
  id title handle descriptionHtml vendor productType status tags createdAt updatedAt
  options { name values }
  variants(first: 20) { nodes { ...Variant } pageInfo { hasNextPage endCursor } }
}` + variantFragment

var (
	productsOp = operation{"Products", `
query Products($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ...Product }
    pageInfo { hasNextPage endCursor }
  }
}` + productFragment}

	productVariantsOp = operation{"ProductVariants", `
query ProductVariants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: 150, after: $after) { nodes { ...Variant } pageInfo { hasNextPage endCursor } }
  }
}` + variantFragment}

	inventoryLevelsOp = operation{"InventoryLevels", `
query InventoryLevels($id: ID!, $after: String) {
  inventoryItem(id: $id) {
    inventoryLevels(first: 100, after: $after) {
      nodes { id updatedAt location { id name } quantities(names: ["available", "on_hand"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`}

	inventoryOp = operation{"Inventory", `
query Inventory($first: Int!, $after: String, $query: String) {
  inventoryItems(first: $first, after: $after, query: $query) {
    nodes {
      id sku updatedAt
      inventoryLevels(first: 10) {
        nodes { id updatedAt location { id name } quantities(names: ["available", "on_hand"]) { name quantity } }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`}

	locationsOp = operation{"Locations", `
query Locations {
  primary: location { id name }
  locations(first: 100) { nodes { id name isActive } }
}`}

	variantBySKUOp = operation{"VariantBySKU", `
query VariantBySKU($query: String!) {
  productVariants(first: 10, query: $query) {
    nodes { id sku product { id } inventoryItem { id } }
  }
}`}

	productIDsOp = operation{"ProductVariantIDs", `
query ProductVariantIDs($id: ID!, $after: String) {
  product(id: $id) {
    id
    variants(first: 250, after: $after) { nodes { id sku inventoryItem { id } } pageInfo { hasNextPage endCursor } }
  }
}`}

	orderByNameOp = operation{"OrderByName", `
query OrderByName($query: String!) {
  orders(first: 2, query: $query) {
    nodes {
      id name
      fulfillments { id trackingInfo { number company url } }
      fulfillmentOrders(first: 10) {
        nodes { id status lineItems(first: 40) { nodes { id sku remainingQuantity } pageInfo { hasNextPage endCursor } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`}

	orderFulfillmentOrdersOp = operation{"OrderFulfillmentOrders", `
query OrderFulfillmentOrders($id: ID!, $after: String) {
  order(id: $id) {
    fulfillmentOrders(first: 20, after: $after) {
      nodes { id status lineItems(first: 40) { nodes { id sku remainingQuantity } pageInfo { hasNextPage endCursor } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`}

	fulfillmentOrderLinesOp = operation{"FulfillmentOrderLines", `
query FulfillmentOrderLines($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) {
    lineItems(first: 250, after: $after) { nodes { id sku remainingQuantity } pageInfo { hasNextPage endCursor } }
  }
}`}

	customerByEmailOp = operation{"CustomerByEmail", `
query CustomerByEmail($query: String!) {
  customers(first: 2, query: $query) { nodes { id email } }
}`}

	productSetOp = operation{"ProductSet", `
mutation ProductSet($input: ProductSetInput!) {
  productSet(input: $input, synchronous: true) {
    product { id handle variants(first: 100) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code }
  }
}`}

	productUpdateOp = operation{"ProductUpdate", `
mutation ProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id handle }
    userErrors { field message }
  }
}`}

	inventorySetOp = operation{"InventorySet", `
mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`}

	fulfillmentCreateOp = operation{"FulfillmentCreate", `
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status name trackingInfo { number company url } }
    userErrors { field message }
  }
}`}

	trackingUpdateOp = operation{"TrackingUpdate", `
mutation TrackingUpdate($id: ID!, $tracking: FulfillmentTrackingInput!, $notify: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking, notifyCustomer: $notify) {
    fulfillment { id status trackingInfo { number company url } }
    userErrors { field message }
  }
}`}

	webhookCreateOp = operation{"WebhookCreate", `
mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`}

	webhookDeleteOp = operation{"WebhookDelete", `
mutation WebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`}
)

// operations lists every operation the connector sends, with the
// variables of its largest page, for the tests.
func operations() map[operation]map[string]any {
	page := func(n int) map[string]any { return map[string]any{"first": n} }
	return map[operation]map[string]any{
		shopOp: nil, ordersOp: page(ordersPage), orderLinesOp: nil, customersOp: page(customersPage),
		productsOp: page(productsPage), productVariantsOp: nil, inventoryOp: page(itemsPage), inventoryLevelsOp: nil, locationsOp: nil,
		variantBySKUOp: nil, productIDsOp: nil, orderByNameOp: nil, orderFulfillmentOrdersOp: nil, fulfillmentOrderLinesOp: nil, customerByEmailOp: nil, productSetOp: nil,
		productUpdateOp: nil, inventorySetOp: nil, fulfillmentCreateOp: nil, trackingUpdateOp: nil,
		webhookCreateOp: nil, webhookDeleteOp: nil,
	}
}
