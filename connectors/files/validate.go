package files

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec/xml"
	"github.com/switchboard-app/switchboard/connectors/files/transport"
)

// validator is the Validate step of a file connection: its timeout must
// be longer than zero, and with local set its folder must be a folder of
// the files root that a connection may use. It reads no file and opens no
// connection.
func validator(connector string, local bool) func(connectors.Config, connectors.Env) error {
	return func(cfg connectors.Config, env connectors.Env) error {
		problems := map[string]string{}
		if cfg.Duration(FieldTimeout) <= 0 {
			problems[FieldTimeout] = "must be longer than zero, such as 30s"
		}
		if _, set := cfg.Values[FieldSessions]; set && cfg.Int(FieldSessions) < 2 {
			problems[FieldSessions] = "must be at least 2: one connection for commands and one for transfers"
		}
		if local {
			if _, err := transport.CheckLocal(env.Files, cfg.String(FieldFolder)); err != nil {
				problems[FieldFolder] = err.Error()
			}
		}
		if len(problems) > 0 {
			return &connectors.ValidationError{Connector: connector, Fields: problems}
		}
		return nil
	}
}

// flowValidator is the ValidateFlow step of a file connector: a flow's
// options for its use must work, and with local set its folders must stay
// inside the connection's folder. It reads no file and opens no
// connection.
func flowValidator(connector string, local bool) func(connectors.Use, connectors.Config, connectors.Config, connectors.Env) error {
	return func(use connectors.Use, opts, conn connectors.Config, env connectors.Env) error {
		o := readOptions(opts)
		problems := o.problems(use)
		if local {
			localProblems(env.Files, conn.String(FieldFolder), o, use, problems)
		}
		if len(problems) > 0 {
			return &connectors.ValidationError{Connector: connector, Of: connectors.FlowOptions, Fields: problems}
		}
		return nil
	}
}

// subFolders are the option fields naming folders of the flow's
// sub-folder, by use.
func subFolders(use connectors.Use) []string {
	var out []string
	if use&connectors.UseRead != 0 {
		out = append(out, FieldProcessingFolder, FieldArchiveFolder, FieldErrorFolder)
	}
	if use&connectors.UseWrite != 0 {
		out = append(out, FieldOutputFolder)
	}
	return out
}

// problems lists what cannot work in the options for use, one message per
// field.
func (o options) problems(use connectors.Use) map[string]string {
	problems := map[string]string{}
	if _, err := transport.Clean(o.dir); err != nil {
		problems[FieldSubFolder] = "must be a sub-folder of the connection's folder, without .. or a leading /"
	}
	for _, field := range subFolders(use) {
		clean, err := transport.Clean(o.subFolder(field))
		switch {
		case err != nil:
			problems[field] = "must be a sub-folder of the flow's sub-folder, without .. or a leading /"
		case clean == "." && o.movesInto(field):
			problems[field] = sameFolder(field, o.subFolder(field))
		}
	}
	if o.format == "" {
		problems[FieldFormat] = "is required"
	}
	if use&connectors.UseRead != 0 {
		o.readProblems(problems)
	}
	if use&connectors.UseWrite != 0 {
		o.writeProblems(problems)
	}
	return problems
}

func (o options) readProblems(problems map[string]string) {
	if _, err := transport.Match(o.pattern, "x"); err != nil {
		problems[FieldPattern] = err.Error()
	}
	if o.claimTimeout <= 0 {
		problems[FieldClaimTimeout] = "must be longer than zero, such as 15m"
	}
	if o.settle < 0 {
		problems[FieldSettleTime] = "must not be negative: 0s takes files at once, 5s waits until a file has stayed the same for 5 seconds"
	}
	if o.marker != "" && (transport.CheckName("x"+o.marker) != nil || strings.ContainsAny(o.marker, "*?[")) {
		problems[FieldReadyMarker] = fmt.Sprintf("%q must be the end of a file name, such as .done, without slashes or wildcards", o.marker)
	}
	for _, p := range o.temporary {
		if _, err := transport.Match(p, "x"); err != nil {
			problems[FieldTemporaryNames] = err.Error()
		}
	}
}

func (o options) writeProblems(problems map[string]string) {
	if err := checkTemplate(o.fileName); err != nil {
		problems[FieldFileName] = err.Error()
	}
	if o.format == FormatXML {
		for field, name := range map[string]string{FieldXMLRoot: o.xmlRoot, FieldXMLRecord: o.xmlRecord} {
			if name == "" {
				continue // the encoder's default name
			}
			if err := xml.CheckName(name); err != nil {
				problems[field] = err.Error()
			}
		}
	}
}

// movesInto reports whether reading moves files into the folder field
// names: the processing and error folders, and the archive folder unless
// files are deleted after reading. Such a folder must not be the flow's
// sub-folder, where a file moved there would be read again at every run.
func (o options) movesInto(field string) bool {
	switch field {
	case FieldProcessingFolder, FieldErrorFolder:
		return true
	case FieldArchiveFolder:
		return !o.deleteAfter
	}
	return false
}

// sameFolder is the problem of the folder field when it is the flow's
// sub-folder.
func sameFolder(field, folder string) string {
	example := map[string]string{FieldProcessingFolder: "processing", FieldErrorFolder: "error"}[field]
	if example == "" {
		example = "archive"
	}
	return fmt.Sprintf("%q is the flow's sub-folder itself, where files moved would be read again at every run: "+
		"name a folder inside it, such as %s", folder, example)
}

// subFolder is the folder a field names, relative to the flow's
// sub-folder.
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

// localProblems checks the flow's sub-folder of a local connection's
// folder, and the folders in it that use needs, against the files root:
// inside the connection's folder, even through symbolic links, and away
// from the data folder's own files. A connection folder that fails its
// own check is left to the connection's.
func localProblems(files connectors.FilesRoot, folder string, o options, use connectors.Use, problems map[string]string) {
	real, err := transport.CheckLocal(files, folder)
	if err != nil || problems[FieldSubFolder] != "" {
		return
	}
	if err := transport.CheckLocalSub(files, folder, real, o.dir); err != nil {
		problems[FieldSubFolder] = err.Error()
		return
	}
	for _, field := range subFolders(use) {
		if problems[field] != "" {
			continue
		}
		if err := transport.CheckLocalSub(files, folder, real, path.Join(o.dir, o.subFolder(field))); err != nil {
			problems[field] = err.Error()
		} else if o.movesInto(field) && linksBack(files, path.Join(folder, o.dir), o.subFolder(field)) {
			problems[field] = sameFolder(field, o.subFolder(field))
		}
	}
}

// linksBack reports whether the folder sub of dir is dir itself through a
// symbolic link. Both passed the files root's checks.
func linksBack(files connectors.FilesRoot, dir, sub string) bool {
	dirReal, err := transport.CheckLocal(files, dir)
	if err != nil {
		return false
	}
	subReal, err := transport.CheckLocal(files, path.Join(dir, sub))
	return err == nil && subReal == dirReal
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

// validateOutput is the ValidateOutput step of a file connector: in an
// XML file every field's name must be an XML name, and in a CSV file with
// its columns given every field must be one of them.
func validateOutput(opts connectors.Config, paths []string) error {
	o := readOptions(opts)
	for _, field := range paths {
		if err := outputProblem(o, field); err != nil {
			return &connectors.OutputProblem{Path: field, Cause: err}
		}
	}
	return nil
}

// outputProblem says why the field at a path cannot be written in o's
// files.
func outputProblem(o options, field string) error {
	switch {
	case o.format == FormatXML:
		return xml.CheckPath(field)
	case o.format == FormatCSV && len(o.columns) > 0 && !strings.Contains(field, "."):
		if !slices.Contains(o.columns, field) {
			return fmt.Errorf("it is not one of the CSV columns %s", strings.Join(o.columns, ", "))
		}
	}
	return nil
}
