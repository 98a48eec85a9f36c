package files

import (
	"encoding/json"
	"path"

	"github.com/switchboard-app/switchboard/connectors"
	"github.com/switchboard-app/switchboard/connectors/codec/charset"
	"github.com/switchboard-app/switchboard/connectors/files/transport/ftp"
)

// Config and flow field names.
const (
	FieldFolder           = "folder"
	FieldSubFolder        = "sub_folder"
	FieldPattern          = "pattern"
	FieldFormat           = "format"
	FieldEncoding         = "encoding"
	FieldDelimiter        = "delimiter"
	FieldQuote            = "quote"
	FieldHeader           = "header"
	FieldColumns          = "columns"
	FieldDecimalComma     = "decimal_comma"
	FieldDuplicateColumns = "duplicate_columns"
	FieldNeutralise       = "neutralise_formulas"
	FieldRecordPath       = "record_path"
	FieldKeyField         = "key_field"
	FieldAfterRead        = "after_read"
	FieldProcessingFolder = "processing_folder"
	FieldArchiveFolder    = "archive_folder"
	FieldErrorFolder      = "error_folder"
	FieldClaimTimeout     = "claim_timeout"
	FieldSettleTime       = "settle_time"
	FieldReadyMarker      = "ready_marker"
	FieldTemporaryNames   = "temporary_names"
	FieldCreateFolders    = "create_folders"
	FieldSessions         = "max_sessions"
	FieldOutputFolder     = "output_folder"
	FieldFileName         = "file_name"
	FieldWriteMode        = "write_mode"
	FieldXMLRoot          = "xml_root"
	FieldXMLRecord        = "xml_record"
	FieldTimeout          = "timeout"
	FieldHost             = "host"
	FieldPort             = "port"
	FieldUsername         = "username"
	FieldPassword         = "password"
	FieldPrivateKey       = "private_key"
	FieldPassphrase       = "passphrase"
	FieldTLS              = "tls"
	FieldCACert           = "ca_cert"
	FieldTLSFingerprint   = "tls_fingerprint"
	FieldHostKey          = "host_key_fingerprint"
)

// defaultFileName is the default template of written files' names.
const defaultFileName = "{entity}-{date}-{time}-{run}-{number}.{ext}"

// The formats a connection reads and writes.
const (
	FormatCSV    = "csv"
	FormatXML    = "xml"
	FormatJSON   = "json"
	FormatNDJSON = "ndjson"
)

// formatFields are the flow fields of the files' format: how a flow's
// files are read and written.
func formatFields() []connectors.Field {
	r, w, rw := connectors.UseRead, connectors.UseWrite, connectors.UseBoth
	return []connectors.Field{
		{Name: FieldFormat, Title: "Format", Type: connectors.TypeSelect, Default: FormatCSV, Use: rw,
			Options: []string{FormatCSV, FormatXML, FormatJSON, FormatNDJSON}, Help: "The files' format."},
		{Name: FieldEncoding, Title: "Text encoding", Type: connectors.TypeSelect, Default: charset.Auto, Use: rw,
			Options: charset.Names(), Help: "auto reads the byte order mark, else takes UTF-8 when valid and Windows-1252 otherwise. Files are written in it (auto writes UTF-8)."},
		{Name: FieldDelimiter, Title: "CSV delimiter", Type: connectors.TypeSelect, Default: "auto", Use: rw,
			Options: []string{"auto", ",", ";", "|", "tab"}, Help: "auto detects comma, semicolon, pipe or tab. Files are written with a comma when auto."},
		{Name: FieldQuote, Title: "CSV quote", Type: connectors.TypeSelect, Default: "auto", Advanced: true, Use: r,
			Options: []string{"auto", `"`, "'", "none"}, Help: "The character around quoted CSV fields; auto detects it."},
		{Name: FieldHeader, Title: "CSV header row", Type: connectors.TypeBool, Default: true, Use: rw,
			Help: "The first row names the columns. Without it, columns are col1, col2, ... unless named below."},
		{Name: FieldColumns, Title: "CSV columns", Type: connectors.TypeString, Advanced: true, Use: rw,
			Help: "Comma-separated column names by position; they replace the header's names, and fix the columns and their order when writing.", Example: "sku,name,price"},
		{Name: FieldDecimalComma, Title: "Decimal comma columns", Type: connectors.TypeString, Advanced: true, Use: r,
			Help: "Columns whose values like 1.234,50 are read as 1234.50 (and 1.000 as 1000); * for every value that looks like 1.234,50.", Example: "price,cost"},
		{Name: FieldDuplicateColumns, Title: "Duplicate CSV columns", Type: connectors.TypeSelect, Default: "refuse", Advanced: true, Use: r,
			Options: []string{"refuse", "rename"}, Help: "A header naming a column twice refuses the file; rename reads them as sku, sku_2, ..."},
		{Name: FieldNeutralise, Title: "Neutralise formulas", Type: connectors.TypeBool, Default: true, Advanced: true, Use: w,
			Help: "Written CSV cells starting with = + - @ (numbers aside) get a ' in front, so that a spreadsheet shows them instead of running them."},
		{Name: FieldRecordPath, Title: "Record path", Type: connectors.TypeString, Use: rw,
			Help: "XML: the record elements from the root, e.g. /Products/Product (default: the root's children). JSON: the dotted path to the records' array, e.g. data.items.", Example: "/Products/Product"},
		{Name: FieldKeyField, Title: "Key field", Type: connectors.TypeString, Use: r,
			Help: "The field shown as each record's key in Activity, e.g. sku; by default the file name and line.", Example: "sku"},
		{Name: FieldXMLRoot, Title: "XML root element", Type: connectors.TypeString, Default: "Records", Advanced: true, Use: w,
			Help: "Root element of written XML files."},
		{Name: FieldXMLRecord, Title: "XML record element", Type: connectors.TypeString, Default: "Record", Advanced: true, Use: w,
			Help: "Element of each record in written XML files."},
	}
}

// lifecycleFields are the flow fields of which files a flow takes and
// what becomes of them, and of the files it writes.
func lifecycleFields() []connectors.Field {
	r, w, rw := connectors.UseRead, connectors.UseWrite, connectors.UseBoth
	return []connectors.Field{
		{Name: FieldSubFolder, Title: "Sub-folder", Type: connectors.TypeString, Default: ".", Use: rw,
			Help: "The flow's folder, relative to the connection's folder; . is the connection's folder itself. Flows on one connection keep apart by sub-folder or pattern.", Example: "orders"},
		{Name: FieldPattern, Title: "File pattern", Type: connectors.TypeString, Default: "*", Use: r,
			Help: "Which files to read, e.g. *.csv or orders-*.xml (* and ? wildcards).", Example: "*.csv"},
		{Name: FieldAfterRead, Title: "After reading", Type: connectors.TypeSelect, Default: "archive", Use: r,
			Options: []string{"archive", "delete"}, Help: "What happens to a file once its records are safely in the inbox."},
		{Name: FieldArchiveFolder, Title: "Archive folder", Type: connectors.TypeString, Default: "archive", Use: r,
			Help: "Folder, relative to the sub-folder, that read files move to."},
		{Name: FieldErrorFolder, Title: "Error folder", Type: connectors.TypeString, Default: "error", Use: r,
			Help: "Folder, relative to the sub-folder, that files which cannot be read move to, with a NAME.error.txt report beside each."},
		{Name: FieldProcessingFolder, Title: "Processing folder", Type: connectors.TypeString, Default: "processing", Advanced: true, Use: r,
			Help: "Folder, relative to the sub-folder, a file is moved into while it is read, so that two runs never take the same file."},
		{Name: FieldClaimTimeout, Title: "Claim timeout", Type: connectors.TypeDuration, Default: "15m", Advanced: true, Use: r,
			Help: "A file claimed by another Switchboard (or an earlier version) and left in the processing folder longer than this is taken up again. Claims of this Switchboard's stopped runs are taken up at once."},
		{Name: FieldSettleTime, Title: "Settle time", Type: connectors.TypeDuration, Default: "5s", Advanced: true, Use: r,
			Help: "A file is taken only once its size and time have stayed the same this long, so that a file still being uploaded is not read half. 0s takes files at once, for senders that upload under a temporary name and rename the file when it is complete.", Example: "10s"},
		{Name: FieldReadyMarker, Title: "Ready marker", Type: connectors.TypeString, Advanced: true, Use: r,
			Help: "When set, a file is taken only once the sender has put its marker beside it: NAME plus this suffix, or NAME without its extension plus it (orders.csv.done or orders.done). The marker is removed when the file is taken.", Example: ".done"},
		{Name: FieldTemporaryNames, Title: "Temporary names", Type: connectors.TypeString, Default: "*.part,*.partial,*.filepart,*.tmp", Advanced: true, Use: r,
			Help: "Comma-separated patterns of names that senders upload under before renaming: such files are never read. Hidden files (.name) never are either."},
		{Name: FieldOutputFolder, Title: "Output folder", Type: connectors.TypeString, Default: ".", Advanced: true, Use: w,
			Help: "Folder, relative to the sub-folder, that written files go to."},
		{Name: FieldFileName, Title: "File name", Type: connectors.TypeString, Default: defaultFileName, Use: w,
			Help: "Name of written files, with {date}, {time}, {run}, {number}, {id} (the transaction's), {key}, {entity}, {ext} and any record field such as {order_number}. In per_record mode the default is {entity}-{id}.{ext}, so that a record written again replaces its file.", Example: "orders-{date}-{number}.xml"},
		{Name: FieldWriteMode, Title: "Write mode", Type: connectors.TypeSelect, Default: "per_run", Use: w,
			Options: []string{"per_run", "per_record"}, Help: "One file with all of a run's records, or one file per record."},
	}
}

// createFoldersField is the flow field of remote connections that makes
// missing folders instead of refusing them.
func createFoldersField() connectors.Field {
	return connectors.Field{Name: FieldCreateFolders, Title: "Create missing folders", Type: connectors.TypeBool, Default: false,
		Advanced: true, Use: connectors.UseWrite,
		Help: "When the connection's folder does not exist on the server, make it (with its parents) instead of failing. The flow's own folders are always made."}
}

// timeoutField is the connection's wait on its server.
func timeoutField() connectors.Field {
	return connectors.Field{Name: FieldTimeout, Title: "Timeout", Type: connectors.TypeDuration, Default: "30s", Advanced: true,
		Help: "How long to wait for the server before giving up."}
}

func fields(groups ...[]connectors.Field) []connectors.Field {
	var out []connectors.Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// spec is a file connector's spec: its own connection fields and the
// timeout, and the flow fields all three share.
func spec(name, title, description string, auth []connectors.AuthKind, own []connectors.Field, local bool) connectors.Spec {
	flowFields := fields(lifecycleFields(), formatFields())
	if !local {
		flowFields = append(flowFields, createFoldersField())
	}
	return connectors.Spec{
		Name: name, Title: title, Category: connectors.CategoryFiles, Description: description,
		Auth: auth, Fields: fields(own, []connectors.Field{timeoutField()}),
		FlowFields: flowFields,
		Reads:      connectors.Entities(), Writes: connectors.Entities(),
		Validate: validator(name, local), ValidateFlow: flowValidator(name, local), ValidateOutput: validateOutput,
		Place: place,
	}
}

// FolderSpec is the "folder" connector's spec.
func FolderSpec() connectors.Spec {
	return spec("folder", "Local folder", "CSV, XML and JSON files in a folder of the files root on the Switchboard machine.",
		[]connectors.AuthKind{connectors.AuthNone}, []connectors.Field{
			{Name: FieldFolder, Title: "Folder", Type: connectors.TypeString, Required: true,
				Help: "The folder, relative to the files root (SWITCHBOARD_FILES_ROOT, sb_data/files by default); . is the files root itself.", Example: "exchange/in"},
		}, true)
}

// FTPSpec is the "ftp" connector's spec (FTPS is its tls option).
func FTPSpec() connectors.Spec {
	return spec("ftp", "FTP / FTPS", "CSV, XML and JSON files on an FTP server, in plain FTP or FTPS (explicit or implicit TLS).",
		[]connectors.AuthKind{connectors.AuthPassword}, []connectors.Field{
			{Name: FieldHost, Title: "Host", Type: connectors.TypeString, Required: true, Help: "The server's name or address.", Example: "ftp.example.com"},
			{Name: FieldPort, Title: "Port", Type: connectors.TypeInt, Help: "21 for FTP and explicit TLS, 990 for implicit TLS when empty."},
			{Name: FieldUsername, Title: "Username", Type: connectors.TypeString, Required: true, Help: "The FTP login."},
			{Name: FieldPassword, Title: "Password", Type: connectors.TypeString, Secret: true, Required: true, Help: "The FTP password."},
			{Name: FieldTLS, Title: "TLS", Type: connectors.TypeSelect, Default: "explicit", Options: []string{"none", "explicit", "implicit"},
				Help: "explicit: FTPS with AUTH TLS on the FTP port (most servers); implicit: FTPS on port 990; none: plain FTP, password sent in clear."},
			{Name: FieldCACert, Title: "CA certificate", Type: connectors.TypeText, Advanced: true,
				Help: "PEM certificate to trust instead of the public CAs, e.g. the server's self-signed certificate."},
			{Name: FieldTLSFingerprint, Title: "Certificate fingerprint", Type: connectors.TypeString, Advanced: true,
				Help: "Pin the server certificate's SHA-256 fingerprint (shown by Test connection); the certificate chain is then not checked."},
			{Name: FieldFolder, Title: "Folder", Type: connectors.TypeString, Default: ".",
				Help: "Folder on the server, relative to the login folder unless it starts with /.", Example: "/in"},
			{Name: FieldSessions, Title: "Connections at once", Type: connectors.TypeInt, Default: ftp.DefaultSessions, Advanced: true,
				Help: "The most connections Switchboard opens to the server at once, one for commands and the others for transfers (at least 2). Lower it when the server limits sessions per user or address; transfers beyond it wait their turn."},
		}, false)
}

// SFTPSpec is the "sftp" connector's spec.
func SFTPSpec() connectors.Spec {
	return spec("sftp", "SFTP", "CSV, XML and JSON files on an SFTP (SSH) server.",
		[]connectors.AuthKind{connectors.AuthPassword, connectors.AuthPrivateKey}, []connectors.Field{
			{Name: FieldHost, Title: "Host", Type: connectors.TypeString, Required: true, Help: "The server's name or address.", Example: "sftp.example.com"},
			{Name: FieldPort, Title: "Port", Type: connectors.TypeInt, Default: 22, Help: "The SSH port."},
			{Name: FieldUsername, Title: "Username", Type: connectors.TypeString, Required: true, Help: "The SSH login."},
			{Name: FieldPassword, Title: "Password", Type: connectors.TypeString, Secret: true, Help: "The password; leave empty to log in with a key."},
			{Name: FieldPrivateKey, Title: "Private key", Type: connectors.TypeText, Secret: true,
				Help: "The private key in OpenSSH or PEM format, for key login."},
			{Name: FieldPassphrase, Title: "Key passphrase", Type: connectors.TypeString, Secret: true, Advanced: true,
				Help: "The private key's passphrase, if it has one."},
			{Name: FieldHostKey, Title: "Host key fingerprint", Type: connectors.TypeString, Advanced: true,
				Help: "The server's SHA256 host key fingerprint. When empty, the key seen first is pinned and a changed key is refused.", Example: "SHA256:..."},
			{Name: FieldFolder, Title: "Folder", Type: connectors.TypeString, Default: ".",
				Help: "Folder on the server, relative to the login folder unless it starts with /.", Example: "/in"},
		}, false)
}

// place is where a writing flow's files go and what they are: its output
// folder (sub-folder and output folder joined and cleaned), file name
// template, format and write mode. Two flows of one connection writing
// into different folders keep their own record links.
func place(opts connectors.Config) string {
	dir := path.Join(opts.String(FieldSubFolder), opts.String(FieldOutputFolder))
	b, _ := json.Marshal([]string{dir, opts.String(FieldFileName), opts.String(FieldFormat), opts.String(FieldWriteMode)})
	return string(b)
}
