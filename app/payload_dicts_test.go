package app

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestAFlowsPayloadsAreCompressedWithItsOwnDictionary: a flow's outcomes
// are stored compressed with a dictionary made from its first outcome's
// keys, which holds none of its values, and are read back as they were,
// by this engine and by one started afresh.
func TestAFlowsPayloadsAreCompressedWithItsOwnDictionary(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	fe.source.Add(connectors.Product, "p1", map[string]any{"sku": "SKU-1", "name": "Chair",
		"attributes": map[string]any{"warehouse_bin": "B-17-secret"}})
	fe.source.Add(connectors.Product, "p2", map[string]any{"sku": "SKU-2", "name": "Table",
		"attributes": map[string]any{"warehouse_bin": "C-03"}})
	fe.run(t)
	fe.waitStatuses(t, map[string]int{StatusSucceeded: 2})
	var dicts []struct {
		Flow       string `db:"flow"`
		Dictionary []byte `db:"dictionary"`
	}
	if err := fe.app.DB().NewQuery("SELECT flow, dictionary FROM payload_dictionaries").All(&dicts); err != nil {
		t.Fatal(err)
	}
	if len(dicts) != 1 || dicts[0].Flow != fe.flow.Id {
		t.Fatalf("dictionaries %+v; want one, the flow's", dicts)
	}
	dict := string(dicts[0].Dictionary)
	if !strings.Contains(dict, `"warehouse_bin":""`) {
		t.Errorf("the dictionary %s lacks the source's keys", dict)
	}
	for _, value := range []string{"SKU-", "Chair", "Table", "B-17", "C-03"} {
		if strings.Contains(dict, value) {
			t.Errorf("the dictionary %s holds the value %q", dict, value)
		}
	}

	for _, id := range []string{"p1", "p2"} {
		tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", id)
		if err != nil {
			t.Fatal(err)
		}
		stored := tx.GetString("payloads")
		if !strings.HasPrefix(stored, flowDictMarker) {
			t.Fatalf("%s: payloads stored as %q; want them compressed with the flow's dictionary", id, stored[:1])
		}
		afresh := newPayloadDicts(fe.sb.engine.app, fe.sb.engine.logger)
		for name, ds := range map[string]*payloadDicts{"this engine": fe.sb.engine.payloads, "a new one": afresh} {
			p, err := ds.decode(stored)
			if err != nil {
				t.Fatalf("%s, read by %s: %v", id, name, err)
			}
			if p.Input["attributes"] == nil || p.Input["sku"] == nil || len(p.Attempts) != 1 || len(p.Canonical) == 0 {
				t.Errorf("%s, read by %s: %+v", id, name, p)
			}
		}
	}
}

// TestAFlowGetsANewDictionaryWhenItsRecordsChangeShape: a flow whose
// mapping is edited after its first outcome gets a new dictionary, made
// from the next outcome's keys, which its later payloads name, while the
// earlier ones still read with theirs; a change that leaves the records'
// keys as they were (the flow renamed) makes none. A new engine compresses
// with the newest.
func TestAFlowGetsANewDictionaryWhenItsRecordsChangeShape(t *testing.T) {
	fe := newFlowEnv(t, connectors.Product, nil)
	sync := func(id, sku string, succeeded int) {
		t.Helper()
		fe.source.Add(connectors.Product, id, product(sku, "Chair "+sku))
		fe.run(t)
		fe.waitStatuses(t, map[string]int{StatusSucceeded: succeeded})
	}
	dictionaries := func() []string {
		t.Helper()
		var dicts []string
		if err := fe.app.DB().NewQuery("SELECT CAST(dictionary AS TEXT) FROM payload_dictionaries WHERE flow = {:flow} ORDER BY id").
			Bind(map[string]any{"flow": fe.flow.Id}).Column(&dicts); err != nil {
			t.Fatal(err)
		}
		return dicts
	}
	save := func(field string, value any) { // as the API does: the flow read, changed and saved
		t.Helper()
		flow, err := fe.app.FindRecordById(flowsCollection, fe.flow.Id)
		if err != nil {
			t.Fatal(err)
		}
		flow.Set(field, value)
		if err := fe.app.Save(flow); err != nil {
			t.Fatal(err)
		}
	}

	sync("p1", "SKU-1", 1)
	if n := len(dictionaries()); n != 1 {
		t.Fatalf("%d dictionaries after the first outcome; want 1", n)
	}
	save("name", "renamed")
	sync("p2", "SKU-2", 2)
	if n := len(dictionaries()); n != 1 {
		t.Fatalf("%d dictionaries after the flow was renamed; want still 1", n)
	}

	save("mapping", pricedProductMapping()["mapping"])
	fe.source.Add(connectors.Product, "p3", map[string]any{"sku": "SKU-3", "name": "Table", "price": "12.50"})
	fe.run(t)
	eventually(t, "a new dictionary after the mapping changed", func() bool { return len(dictionaries()) == 2 })
	dicts := dictionaries()
	if strings.Contains(dicts[0], `"title":""`) || !strings.Contains(dicts[1], `"title":""`) {
		t.Fatalf("dictionaries %q; want the output's new keys in the second alone", dicts)
	}
	eventually(t, "p3 to succeed", func() bool {
		tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", "p3")
		return err == nil && tx.GetString("status") == StatusSucceeded
	})

	numbers := map[string]uint64{}
	for _, id := range []string{"p1", "p3"} {
		tx, err := fe.app.FindFirstRecordByData("transactions", "source_id", id)
		if err != nil {
			t.Fatal(err)
		}
		stored := tx.GetString("payloads")
		numbers[id] = dictNumber(t, stored)
		if p, err := newPayloadDicts(fe.sb.engine.app, fe.sb.engine.logger).decode(stored); err != nil || p.Input["sku"] == nil {
			t.Fatalf("%s read back as %+v, %v", id, p, err)
		}
	}
	if numbers["p1"] == numbers["p3"] {
		t.Fatalf("p1 and p3 name the same dictionary %d; want p3 the new one", numbers["p1"])
	}
	afresh := newPayloadDicts(fe.sb.engine.app, fe.sb.engine.logger)
	enc, err := afresh.encode(fe.flow.Id, benchOutcome(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := dictNumber(t, enc); got != numbers["p3"] {
		t.Fatalf("a new engine compresses with dictionary %d; want the newest, %d", got, numbers["p3"])
	}
}

// dictNumber is the number of the flow dictionary that stored payloads name.
func dictNumber(t *testing.T, stored string) uint64 {
	t.Helper()
	if !strings.HasPrefix(stored, flowDictMarker) {
		t.Fatalf("payloads stored as %q; want them compressed with a flow's dictionary", stored[:1])
	}
	n, size := flowDictNumber(stored)
	if size <= 0 {
		t.Fatal("the dictionary's number cannot be read")
	}
	return n
}

// TestFlowDictionariesRoundTrip: payloads compressed with a flow's
// dictionary read back as they were, and take fewer bytes than with the
// built-in dictionary alone when the records have keys of their own.
func TestFlowDictionariesRoundTrip(t *testing.T) {
	env := newTestEnv(t)
	ds := newPayloadDicts(env.sb.engine.app, env.sb.engine.logger)
	failed := benchOutcome(t)
	failed.Canonical, failed.Output = nil, nil // refused by the mapping
	if enc, err := ds.encode("flow1", failed); err != nil || !strings.HasPrefix(enc, rawDictMarker) {
		t.Fatalf("a record that did not reach the target: %q, %v; want the built-in dictionary", enc[:1], err)
	}
	first := benchOutcome(t)
	if enc, err := ds.encode("flow1", first); err != nil || !strings.HasPrefix(enc, flowDictMarker) {
		t.Fatalf("the first record that reached the target: %q, %v; want the flow's dictionary", enc[:1], err)
	}
	var dict string
	if err := env.app.DB().NewQuery("SELECT dictionary FROM payload_dictionaries").Row(&dict); err != nil ||
		!strings.Contains(dict, `"output":{"order_id":""`) {
		t.Fatalf("the flow's dictionary %s (%v); want the keys of its first output", dict, err)
	}
	next := benchOutcome(t)
	next.Input["order_id"], next.Input["notes"] = "ORD-000000002", "ring twice"
	withFlow, err := ds.encode("flow1", next)
	if err != nil {
		t.Fatal(err)
	}
	builtIn, err := encodePayloads(next)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes with the flow's dictionary, %d with the built-in one", len(withFlow), len(builtIn))
	if len(withFlow) >= len(builtIn) {
		t.Errorf("%d bytes with the flow's dictionary; want fewer than the built-in one's %d", len(withFlow), len(builtIn))
	}
	got, err := ds.decode(withFlow)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := decodePayloads(builtIn)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v; want %+v", got, want)
	}
}

// TestPayloadsWithoutTheirDictionary: payloads whose dictionary cannot be
// stored are compressed with the built-in one, and payloads naming a
// dictionary that is not there fail with an error that says so.
func TestPayloadsWithoutTheirDictionary(t *testing.T) {
	env := newTestEnv(t)
	if _, err := env.app.DB().NewQuery("DROP TABLE payload_dictionaries").Execute(); err != nil {
		t.Fatal(err)
	}
	ds := newPayloadDicts(env.sb.engine.app, env.sb.engine.logger)
	enc, err := ds.encode("flow1", benchOutcome(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, rawDictMarker) {
		t.Fatalf("payloads begin with %q; want the built-in dictionary's marker", enc[:1])
	}
	if p, err := ds.decode(enc); err != nil || p.Input["order_id"] != "ORD-000000001" {
		t.Fatalf("read back %+v, %v", p, err)
	}
	for _, bad := range []string{flowDictMarker + "\x07rest", flowDictMarker} {
		_, err := ds.decode(bad)
		if err == nil || !strings.Contains(err.Error(), "dictionary") {
			t.Errorf("%q: %v; want an error about the dictionary", bad, err)
		}
	}
}

// TestSkeletonsKeepKeysOnly: every value of every kind is left out,
// lists keep their first element's shape.
func TestSkeletonsKeepKeysOnly(t *testing.T) {
	p := Payloads{
		Input:     map[string]any{"s": "x", "n": json.Number("4"), "f": 1.5, "b": true, "z": nil, "l": []any{map[string]any{"k": "v"}, "y"}, "m": []map[string]any{{"q": 1}}, "o": []string{"secret"}},
		Canonical: json.RawMessage(`{"number":"A-1","lines":[{"sku":"S","quantity":2}]}`),
		Output:    json.RawMessage(`not json`),
	}
	s := skeletonOf(p)
	in, _ := json.Marshal(s.Input)
	if want := `{"b":true,"f":0,"l":[{"k":""}],"m":[{"q":0}],"n":0,"o":"","s":"","z":null}`; string(in) != want {
		t.Errorf("input skeleton %s; want %s", in, want)
	}
	if want := `{"lines":[{"quantity":0,"sku":""}],"number":""}`; string(s.Canonical) != want {
		t.Errorf("canonical skeleton %s; want %s", s.Canonical, want)
	}
	if s.Output != nil {
		t.Errorf("output skeleton %s; want none of a text that is not JSON", s.Output)
	}
}
