package files

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
	"github.com/switchboard-app/switchboard/connectors/codec/csv"
	"github.com/switchboard-app/switchboard/connectors/codec/json"
	"github.com/switchboard-app/switchboard/connectors/codec/xml"
)

// options are a connection's format and lifecycle settings.
type options struct {
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
	output       string
	fileName     string
	perRecord    bool
	xmlRoot      string
	xmlRecord    string
	timeout      time.Duration
}

// parseOptions reads the options and refuses those that cannot work.
func parseOptions(cfg connectors.Config) (options, error) {
	o := readOptions(cfg)
	if problems := o.problems(); len(problems) > 0 {
		return o, connectors.Permanent(&connectors.ValidationError{Connector: "files", Fields: problems})
	}
	return o, nil
}

// readOptions reads a resolved config's options.
func readOptions(cfg connectors.Config) options {
	o := options{
		pattern: cfg.String(FieldPattern), format: cfg.String(FieldFormat), encoding: cfg.String(FieldEncoding),
		noHeader: !cfg.Bool(FieldHeader), columns: splitList(cfg.String(FieldColumns)),
		decimalComma: splitList(cfg.String(FieldDecimalComma)), recordPath: cfg.String(FieldRecordPath),
		keyField: cfg.String(FieldKeyField), deleteAfter: cfg.String(FieldAfterRead) == "delete",
		processing: cfg.String(FieldProcessingFolder), archive: cfg.String(FieldArchiveFolder),
		errors: cfg.String(FieldErrorFolder), claimTimeout: cfg.Duration(FieldClaimTimeout),
		output: cfg.String(FieldOutputFolder), fileName: cfg.String(FieldFileName),
		perRecord: cfg.String(FieldWriteMode) == "per_record", xmlRoot: cfg.String(FieldXMLRoot),
		xmlRecord: cfg.String(FieldXMLRecord), timeout: cfg.Duration(FieldTimeout),
	}
	if _, ok := cfg.Values[FieldHeader]; !ok {
		o.noHeader = false
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

// encoder starts writing one file in the configured format. The returned
// closer flushes the text encoding, after the encoder's own Close.
func (o options) encoder(w io.Writer) (codec.Encoder, error) {
	switch o.format {
	case FormatXML:
		return xml.NewEncoder(w, xml.EncoderOptions{Root: o.xmlRoot, Record: o.xmlRecord, Indent: true}), nil
	case FormatJSON, FormatNDJSON:
		return json.NewEncoder(w, json.EncoderOptions{Lines: o.format == FormatNDJSON, Path: o.recordPath}), nil
	}
	delim := o.delimiter
	if delim == 0 {
		delim = ','
	}
	enc, err := csv.NewEncoder(w, csv.EncoderOptions{Delimiter: delim, Columns: o.columns, NoHeader: o.noHeader,
		Encoding: o.encodingName(), KeepFormulas: o.keepFormulas})
	if err != nil {
		return nil, connectors.Permanent(fmt.Errorf("files: %w", err))
	}
	return enc, nil
}

// ext is the file extension of the format, for file names.
func (o options) ext() string { return o.format }
