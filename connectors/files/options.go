package files

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
	"github.com/switchboard-app/switchboard/connectors/codec/csv"
	"github.com/switchboard-app/switchboard/connectors/codec/json"
	"github.com/switchboard-app/switchboard/connectors/codec/xml"
)

// options are a flow's format and lifecycle settings for its use of a
// file connection: its read options or its write options.
type options struct {
	dir          string // the flow's sub-folder of the connection's folder
	pattern      string
	format       string
	encoding     string
	delimiter    rune
	quote        rune
	noQuote      bool
	noHeader     bool
	columns      []string
	decimalComma []string
	renameDups   bool
	keepFormulas bool
	recordPath   string
	keyField     string
	deleteAfter  bool
	processing   string
	archive      string
	errors       string
	claimTimeout time.Duration
	settle       time.Duration // a file must stay the same this long before it is taken
	marker       string        // a file is taken once NAME+marker is there
	temporary    []string      // patterns of names of uploads under way
	output       string
	fileName     string
	perRecord    bool
	xmlRoot      string
	xmlRecord    string
	mkdirBase    bool // make the connection's folder when it is missing
}

// parseOptions reads a flow's options for use and refuses those that
// cannot work. Options that were never resolved (the zero Config) are the
// flow fields' defaults, the same for the three connectors.
func parseOptions(opts connectors.Config, use connectors.Use) (options, error) {
	if opts.Values == nil {
		var err error
		if opts, err = FolderSpec().ResolveFlow(use, nil); err != nil {
			return options{}, connectors.Permanent(err)
		}
	}
	o := readOptions(opts)
	if problems := o.problems(use); len(problems) > 0 {
		return o, connectors.Permanent(&connectors.ValidationError{Connector: "files", Of: connectors.FlowOptions, Fields: problems})
	}
	return o, nil
}

// parsedOptions are the options last parsed for one use, with the values
// they were parsed from.
type parsedOptions struct {
	values map[string]any
	opts   options
}

// options parses a request's options for use, once for each values map:
// the engine passes the same map with every request of a flow, and
// checking the options (XML names, the file name template) costs more
// than writing a record.
func (c *Conn) options(cfg connectors.Config, use connectors.Use) (options, error) {
	c.parsedMu.Lock()
	last, ok := c.parsed[use]
	c.parsedMu.Unlock()
	if ok && cfg.Values != nil && reflect.ValueOf(last.values).Pointer() == reflect.ValueOf(cfg.Values).Pointer() {
		return last.opts, nil
	}
	o, err := parseOptions(cfg, use)
	if err != nil || cfg.Values == nil {
		return o, err
	}
	c.parsedMu.Lock()
	c.parsed[use] = parsedOptions{values: cfg.Values, opts: o} // holding the map keeps its address its own
	c.parsedMu.Unlock()
	return o, nil
}

// readOptions reads a flow's resolved options.
func readOptions(cfg connectors.Config) options {
	o := options{
		dir: cfg.String(FieldSubFolder), pattern: cfg.String(FieldPattern), format: cfg.String(FieldFormat),
		encoding: cfg.String(FieldEncoding), noHeader: !cfg.Bool(FieldHeader), columns: splitList(cfg.String(FieldColumns)),
		decimalComma: splitList(cfg.String(FieldDecimalComma)), recordPath: cfg.String(FieldRecordPath),
		keyField: strings.TrimSpace(cfg.String(FieldKeyField)), deleteAfter: cfg.String(FieldAfterRead) == "delete",
		processing: cfg.String(FieldProcessingFolder), archive: cfg.String(FieldArchiveFolder),
		errors: cfg.String(FieldErrorFolder), claimTimeout: cfg.Duration(FieldClaimTimeout),
		output: cfg.String(FieldOutputFolder), fileName: cfg.String(FieldFileName),
		perRecord: cfg.String(FieldWriteMode) == "per_record", xmlRoot: cfg.String(FieldXMLRoot),
		xmlRecord: cfg.String(FieldXMLRecord), settle: cfg.Duration(FieldSettleTime),
		marker: strings.TrimSpace(cfg.String(FieldReadyMarker)), temporary: splitList(cfg.String(FieldTemporaryNames)),
		mkdirBase: cfg.Bool(FieldCreateFolders),
	}
	if _, ok := cfg.Values[FieldHeader]; !ok {
		o.noHeader = false
	}
	if o.perRecord && o.fileName == defaultFileName {
		o.fileName = defaultPerRecordName
	}
	o.renameDups = cfg.String(FieldDuplicateColumns) == "rename"
	if _, ok := cfg.Values[FieldNeutralise]; ok {
		o.keepFormulas = !cfg.Bool(FieldNeutralise)
	}
	switch d := cfg.String(FieldDelimiter); d {
	case "", "auto":
	case "tab":
		o.delimiter = '\t'
	default:
		o.delimiter = rune(d[0])
	}
	switch q := cfg.String(FieldQuote); q {
	case "", "auto":
	case "none":
		o.noQuote = true
	default:
		o.quote = rune(q[0])
	}
	return o
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (o options) encodingName() string {
	if o.encoding == charset.Auto {
		return ""
	}
	return o.encoding
}

// decoder starts reading one file in the configured format.
func (o options) decoder(r io.Reader) (codec.Decoder, error) {
	switch o.format {
	case FormatXML:
		return xml.NewDecoder(r, xml.Options{RecordPath: o.recordPath, Encoding: o.encodingName()})
	case FormatJSON, FormatNDJSON:
		return json.NewDecoder(r, json.Options{Path: o.recordPath, Lines: o.format == FormatNDJSON, Encoding: o.encodingName()})
	}
	return csv.NewDecoder(r, csv.Options{Delimiter: o.delimiter, Quote: o.quote, NoQuote: o.noQuote,
		Encoding: o.encodingName(), NoHeader: o.noHeader, Columns: o.columns, DecimalComma: o.decimalComma,
		RenameDuplicates: o.renameDups})
}

// encoder starts writing one file in the configured format, its fields in
// order (XML elements, CSV columns when none are configured).
func (o options) encoder(w io.Writer, order *codec.Order) (codec.Encoder, error) {
	switch o.format {
	case FormatXML:
		return xml.NewEncoder(w, xml.EncoderOptions{Root: o.xmlRoot, Record: o.xmlRecord, Indent: true, Order: order}), nil
	case FormatJSON, FormatNDJSON:
		return json.NewEncoder(w, json.EncoderOptions{Lines: o.format == FormatNDJSON, Path: o.recordPath}), nil
	}
	delim := o.delimiter
	if delim == 0 {
		delim = ','
	}
	enc, err := csv.NewEncoder(w, csv.EncoderOptions{Delimiter: delim, Columns: o.columns, NoHeader: o.noHeader,
		Encoding: o.encodingName(), KeepFormulas: o.keepFormulas, Order: order})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("files: %w", err))
	}
	return enc, nil
}

// ext is the file extension of the format, for file names.
func (o options) ext() string { return o.format }
