package adobecommerce

import (
	"fmt"
	"net/url"
	"strconv"
)

// criteria builds Adobe Commerce's searchCriteria query parameters:
// filter groups are joined with AND, the filters of a group with OR.
type criteria struct {
	q      url.Values
	groups int
}

func newCriteria() *criteria { return &criteria{q: url.Values{}} }

// filter adds a group of one filter: field conditionType value.
func (c *criteria) filter(field, condition, value string) *criteria {
	prefix := fmt.Sprintf("searchCriteria[filterGroups][%d][filters][0]", c.groups)
	c.q.Set(prefix+"[field]", field)
	c.q.Set(prefix+"[value]", value)
	c.q.Set(prefix+"[conditionType]", condition)
	c.groups++
	return c
}

// anyOf adds a group of filters on one field, any of which lets a record
// through: each a condition type and its value.
func (c *criteria) anyOf(field string, conditions ...[2]string) *criteria {
	for i, cv := range conditions {
		prefix := fmt.Sprintf("searchCriteria[filterGroups][%d][filters][%d]", c.groups, i)
		c.q.Set(prefix+"[field]", field)
		c.q.Set(prefix+"[value]", cv[1])
		c.q.Set(prefix+"[conditionType]", cv[0])
	}
	c.groups++
	return c
}

// sort orders by a field.
func (c *criteria) sort(field, direction string) *criteria {
	c.q.Set("searchCriteria[sortOrders][0][field]", field)
	c.q.Set("searchCriteria[sortOrders][0][direction]", direction)
	return c
}

// page sets the page size and number.
func (c *criteria) page(size, number int) *criteria {
	c.q.Set(pageSizeParam, strconv.Itoa(size))
	c.q.Set(currentPageParam, strconv.Itoa(number))
	return c
}

// sinceParam is the value of the next filter group: the kit's incremental
// reads set it, after the groups a list's query holds.
func (c *criteria) sinceParam(field string) string {
	prefix := fmt.Sprintf("searchCriteria[filterGroups][%d][filters][0]", c.groups)
	c.q.Set(prefix+"[field]", field)
	c.q.Set(prefix+"[conditionType]", "gteq")
	c.groups++
	return prefix + "[value]"
}

// The paging parameters.
const (
	pageSizeParam    = "searchCriteria[pageSize]"
	currentPageParam = "searchCriteria[currentPage]"
)

// adobeTime is how Adobe Commerce writes times: UTC, without a zone.
const adobeTime = "2006-01-02 15:04:05"
