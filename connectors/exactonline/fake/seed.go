package fake

import "fmt"

// AddRecord adds a record to a division's collection (such as
// "logistics/Items"), as a person would in Exact Online, and returns its
// key. The record's Modified is now unless it holds one.
func (s *Server) AddRecord(division int, collection string, rec map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.divisions[division].coll[collection]
	rec = clone(rec)
	if rec[c.key] == nil {
		rec[c.key] = newGUID()
	}
	if c.padded != "" && rec[c.padded] != nil {
		rec[c.padded] = pad(fmt.Sprint(rec[c.padded]))
	}
	now := msDate(s.now())
	if rec["Created"] == nil {
		rec["Created"] = now
	}
	if rec["Modified"] == nil {
		rec["Modified"] = now
	}
	c.records = append(c.records, rec)
	return fmt.Sprint(rec[c.key])
}

// SetStock sets an item's stock in a warehouse (by their codes), as the
// division's stock positions show it.
func (s *Server) SetStock(division int, itemCode, warehouseCode string, quantity float64) {
	s.mu.Lock()
	d := s.divisions[division]
	item := d.coll["logistics/Items"].find("Code", itemCode)
	wh := d.coll["inventory/Warehouses"].find("Code", warehouseCode)
	positions := d.coll["inventory/ItemWarehouses"]
	now := msDate(s.now())
	if pos := findPosition(positions, item, wh); pos != nil {
		pos["CurrentStock"], pos["Modified"] = quantity, now
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.AddRecord(division, "inventory/ItemWarehouses", map[string]any{"Item": item["ID"], "ItemCode": itemCode,
		"ItemDescription": item["Description"], "Warehouse": wh["ID"], "WarehouseCode": warehouseCode,
		"CurrentStock": quantity, "ReservedStock": 0.0, "PlannedStockIn": 0.0, "PlannedStockOut": 0.0})
}

func findPosition(c *collection, item, wh map[string]any) map[string]any {
	for _, p := range c.records {
		if p["Item"] == item["ID"] && p["Warehouse"] == wh["ID"] {
			return p
		}
	}
	return nil
}

// Records returns copies of a division's records of a collection.
func (s *Server) Records(division int, collection string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, rec := range s.divisions[division].coll[collection].records {
		out = append(out, clone(rec))
	}
	return out
}

// Record returns a copy of one record by its key, nil when there is none.
func (s *Server) Record(division int, collection, key string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.divisions[division].coll[collection]
	if rec := c.find(c.key, key); rec != nil {
		return clone(rec)
	}
	return nil
}

// KeyOf names the key property of a collection's records, such as ID or
// OrderID.
func (s *Server) KeyOf(collection string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.divisions[s.opts.Division].coll[collection].key
}
