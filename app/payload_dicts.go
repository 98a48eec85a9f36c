package app

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// flowDictMarker is the first byte of payloads compressed with a flow's
// own dictionary: then the dictionary's number (a uvarint) and the DEFLATE
// stream. Neither JSON, base64 nor rawDictMarker begins with it.
const flowDictMarker = "\x02"

// maxFlowDict bounds a flow's dictionary: DEFLATE reaches 32 KB back, and
// loading a dictionary is most of the cost of compressing a small record.
const maxFlowDict = 8 << 10

// payloadDicts are the preset dictionaries that each flow's payloads are
// compressed with (migration 1766300060_payload_dictionaries.go): the keys
// of the flow's first outcome with their values left out, which a flow's
// records repeat and the built-in dictionary (payloadDict1) does not know.
// A dictionary is stored before any payloads that use it, and never
// changed or deleted: payloads name it by its number. A flow whose records
// change shape (its mapping edited) gets a new one (renew).
type payloadDicts struct {
	app    func() core.App
	log    func() *slog.Logger
	mu     sync.Mutex
	byID   map[int64]*payloadDict
	byFlow map[string]*payloadDict
	// retryAt holds off another try at a flow's dictionary after one
	// failed, so that a database that refuses it is not asked at every
	// record (they use the built-in dictionary meanwhile).
	retryAt map[string]time.Time
	// noneStored holds the flows found to have no dictionary yet.
	noneStored map[string]bool
}

// dictRetry is how long a flow's records wait before another try at its
// dictionary after one failed.
const dictRetry = time.Minute

// payloadDict is one stored dictionary.
type payloadDict struct {
	id   int64
	dict []byte
}

func newPayloadDicts(app func() core.App, log func() *slog.Logger) *payloadDicts {
	return &payloadDicts{app: app, log: log, byID: map[int64]*payloadDict{}, byFlow: map[string]*payloadDict{},
		retryAt: map[string]time.Time{}, noneStored: map[string]bool{}}
}

func newPayloadDict(id int64, dict []byte) *payloadDict {
	return &payloadDict{id: id, dict: dict}
}

// encode compresses p for the transactions.payloads field with the
// dictionary of flow, which it makes from p when the flow has none yet;
// with the built-in dictionary when the flow's cannot be had.
func (ds *payloadDicts) encode(flow string, p Payloads) (string, error) {
	d := ds.forFlow(flow, p)
	if d == nil {
		return encodePayloads(p)
	}
	return d.encode(p)
}

// encode compresses p with the dictionary: flowDictMarker, its number and
// the DEFLATE stream.
func (d *payloadDict) encode(p Payloads) (string, error) {
	prefix := binary.AppendUvarint([]byte(flowDictMarker), uint64(d.id))
	return compressPayloads(p, prefix, d.dict)
}

// decode reads payloads as decodePayloads does, and those compressed with
// a flow's dictionary.
func (ds *payloadDicts) decode(s string) (Payloads, error) {
	if len(s) == 0 || s[:1] != flowDictMarker {
		return decodePayloads(s)
	}
	id, n := flowDictNumber(s)
	if n <= 0 {
		return Payloads{}, errors.New("decompressing payloads: the number of their dictionary cannot be read")
	}
	d, err := ds.byNumber(int64(id))
	if err != nil {
		return Payloads{}, err
	}
	data, err := inflate([]byte(s[1+n:]), d.dict)
	if err != nil {
		return Payloads{}, fmt.Errorf("decompressing payloads: %w", err)
	}
	return decodePayloadJSON(data)
}

// flowDictNumber reads the number of the dictionary that payloads stored
// with flowDictMarker name, and how many bytes it takes after the marker
// (0 or less when it cannot be read, as binary.Uvarint says).
func flowDictNumber(s string) (id uint64, n int) {
	number := s[1:min(len(s), 1+binary.MaxVarintLen64)] // the number alone, not a copy of the stream
	return binary.Uvarint([]byte(number))
}

// byNumber returns the dictionary numbered id, read from the database the
// first time.
func (ds *payloadDicts) byNumber(id int64) (*payloadDict, error) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if d, ok := ds.byID[id]; ok {
		return d, nil
	}
	var dict []byte
	err := ds.app().DB().NewQuery(`SELECT dictionary FROM payload_dictionaries WHERE id = {:id}`).
		Bind(dbx.Params{"id": id}).Row(&dict)
	if err != nil {
		return nil, fmt.Errorf("reading the dictionary %d of the payloads: %w", id, err)
	}
	d := newPayloadDict(id, dict)
	ds.byID[id] = d
	return d, nil
}

// forFlow returns the flow's dictionary, read from the database the first
// time, or made from p and stored when it has none and p has an output;
// nil when it cannot be had yet (an error is logged, and it is tried again
// after dictRetry).
func (ds *payloadDicts) forFlow(flow string, p Payloads) *payloadDict {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if d, ok := ds.byFlow[flow]; ok {
		return d
	}
	if time.Now().Before(ds.retryAt[flow]) {
		return nil
	}
	var d *payloadDict
	var err error
	if !ds.noneStored[flow] {
		d, err = ds.load(flow)
	}
	if err == nil && d == nil {
		if len(p.Output) == 0 { // a record that went all the way shows the flow's keys
			ds.noneStored[flow] = true
			return nil
		}
		d, err = ds.store(flow, p)
	}
	if err != nil {
		ds.retryAt[flow] = time.Now().Add(dictRetry)
		ds.log().Error("a flow's payload dictionary", slog.String("flow", flow), slog.String("error", err.Error()))
		return nil
	}
	delete(ds.retryAt, flow)
	ds.byFlow[flow], ds.byID[d.id] = d, d
	return d
}

// renew makes the flow's next outcome that reaches its target give the
// flow a new dictionary, made from that outcome's keys: after a change of
// its mapping, rules, connections or entity, its records have other keys.
// Payloads stored before keep the dictionary they name.
func (ds *payloadDicts) renew(flow string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	delete(ds.byFlow, flow)
	delete(ds.retryAt, flow)
	ds.noneStored[flow] = true
}

// load reads the flow's newest stored dictionary; nil when it has none.
func (ds *payloadDicts) load(flow string) (*payloadDict, error) {
	var row struct {
		ID         int64  `db:"id"`
		Dictionary []byte `db:"dictionary"`
	}
	err := ds.app().DB().NewQuery(`SELECT id, dictionary FROM payload_dictionaries WHERE flow = {:flow} ORDER BY id DESC LIMIT 1`).
		Bind(dbx.Params{"flow": flow}).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return newPayloadDict(row.ID, row.Dictionary), nil
}

// store makes the flow's dictionary from the keys of p and stores it.
func (ds *payloadDicts) store(flow string, p Payloads) (*payloadDict, error) {
	dict, err := appendPayloads(nil, skeletonOf(p))
	if err != nil {
		return nil, fmt.Errorf("making: %w", err)
	}
	if len(dict) > maxFlowDict {
		dict = dict[:maxFlowDict]
	}
	var id int64
	err = ds.app().DB().NewQuery(`INSERT INTO payload_dictionaries (flow, dictionary) VALUES ({:flow}, {:dict}) RETURNING id`).
		Bind(dbx.Params{"flow": flow, "dict": dict}).Row(&id)
	if err != nil {
		return nil, fmt.Errorf("storing: %w", err)
	}
	return newPayloadDict(id, dict), nil
}

// skeletonOf returns p with every value left out: its keys, and the first
// element of each list, with empty strings and zeros in place of the
// values. A dictionary outlives the payloads it was made from, so it
// keeps none of their values.
func skeletonOf(p Payloads) Payloads {
	s := Payloads{Input: skeletonMap(p.Input), Canonical: skeletonJSON(p.Canonical), Output: skeletonJSON(p.Output),
		Response: skeletonMap(p.Response)}
	if len(p.Attempts) > 0 { // the day of its time, and how it went, are no one's data
		first := p.Attempts[0]
		s.Attempts = []Attempt{{At: first.At.UTC().Truncate(24 * time.Hour), Outcome: first.Outcome}}
	}
	return s
}

// skeletonJSON is skeletonValue of a JSON text; nil for one that cannot be
// read.
func skeletonJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	out, err := json.Marshal(skeletonValue(v))
	if err != nil {
		return nil
	}
	return out
}

func skeletonMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = skeletonValue(v)
	}
	return out
}

func skeletonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return skeletonMap(v)
	case []any:
		if len(v) == 0 {
			return v
		}
		return []any{skeletonValue(v[0])}
	case []map[string]any:
		if len(v) == 0 {
			return []any{}
		}
		return []any{skeletonMap(v[0])}
	case bool, nil:
		return v
	case json.Number, float64, float32, int, int64, int32, uint, uint64, uint32:
		return 0
	default:
		return ""
	}
}
