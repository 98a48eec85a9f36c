package files

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec/xml"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// validator is the Validate step of a file connector: the config's
// options must work, and with local set its folders must be folders of the
// files root that a connection may use. It reads no file and opens no
// connection.
func validator(connector string, local bool) func(connectors.Config, connectors.Env) error {
	return func(cfg connectors.Config, env connectors.Env) error {
		problems := readOptions(cfg).problems()
		if local {
			localProblems(cfg, env.Files, problems)
		}
		if len(problems) > 0 {
			return &connectors.ValidationError{Connector: connector, Fields: problems}
		}
		return nil
	}
}

// subFolders are the fields naming sub-folders of the connection's folder.
var subFolders = []string{FieldProcessingFolder, FieldArchiveFolder, FieldErrorFolder, FieldOutputFolder}

// problems lists what cannot work in the options, one message per field.
func (o options) problems() map[string]string {
	problems := map[string]string{}
	for _, field := range subFolders {
		if _, err := transport.Clean(o.subFolder(field)); err != nil {
			problems[field] = "must be a sub-folder of the folder, without .. or a leading /"
		}
	}
	if _, err := transport.Match(o.pattern, "x"); err != nil {
		problems[FieldPattern] = err.Error()
	}
	if o.format == "" {
		problems[FieldFormat] = "is required"
	}
	if err := checkTemplate(o.fileName); err != nil {
		problems[FieldFileName] = err.Error()
	}
	for field, d := range map[string]time.Duration{FieldClaimTimeout: o.claimTimeout, FieldTimeout: o.timeout} {
		if d <= 0 {
			problems[field] = "must be longer than zero, such as 30s or 15m"
		}
	}
	if o.format == FormatXML {
		for field, name := range map[string]string{FieldXMLRoot: o.xmlRoot, FieldXMLRecord: o.xmlRecord} {
			if err := checkXMLName(name); err != nil {
				problems[field] = err.Error()
			}
		}
	}
	return problems
}

func (o options) subFolder(field string) string {
	switch field {
	case FieldProcessingFolder:
		return o.processing
	case FieldArchiveFolder:
		return o.archive
	case FieldErrorFolder:
		return o.errors
	}
	return o.output
}

// localProblems checks the folder and its sub-folders against the files
// root: relative, inside it, even through symbolic links, and away from
// the data folder's own files.
func localProblems(cfg connectors.Config, files connectors.FilesRoot, problems map[string]string) {
	folder := cfg.String(FieldFolder)
	real, err := transport.CheckLocal(files, folder)
	if err != nil {
		problems[FieldFolder] = err.Error()
		return
	}
	o := readOptions(cfg)
	for _, field := range subFolders {
		if problems[field] != "" {
			continue
		}
		if err := transport.CheckLocalSub(files, folder, real, o.subFolder(field)); err != nil {
			problems[field] = err.Error()
		}
	}
}

// checkTemplate checks a file name template: its braces pair up, and a
// name made from it is a plain file name that is not hidden.
func checkTemplate(tmpl string) error {
	sample := placeholder.ReplaceAllString(tmpl, "x")
	if strings.ContainsAny(sample, "{}") {
		return fmt.Errorf("%q has a { or } without its pair; placeholders look like {date}", tmpl)
	}
	if err := checkOutName(sample); err != nil {
		return fmt.Errorf("%q must make a plain file name, without slashes, control characters or a leading dot", tmpl)
	}
	return nil
}

// checkXMLName checks an element name of written XML with the encoder's
// own rules.
func checkXMLName(name string) error {
	enc := xml.NewEncoder(io.Discard, xml.EncoderOptions{Record: name})
	if err := enc.Encode(map[string]any{}); err != nil {
		return fmt.Errorf("%q is not a valid XML element name", name)
	}
	return nil
}
