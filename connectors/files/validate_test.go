package files

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestValidateStep: connection configs that fit the fields but cannot
// work are refused with an error on the field at fault.
func TestValidateStep(t *testing.T) {
	files := t.TempDir()
	env := connectors.Env{Files: connectors.FilesRoot{Dir: files}}
	remote := map[string]any{FieldHost: "ftp.example.com", FieldUsername: "bob"}
	tests := []struct {
		name      string
		spec      connectors.Spec
		values    map[string]any
		wantField string // "" when the config is accepted
	}{
		{"a working folder config", FolderSpec(), map[string]any{FieldFolder: "in"}, ""},
		{"absolute folder", FolderSpec(), map[string]any{FieldFolder: files}, FieldFolder},
		{"folder ..", FolderSpec(), map[string]any{FieldFolder: ".."}, FieldFolder},
		{"a flow option in the config", FolderSpec(), map[string]any{FieldFolder: "in", FieldPattern: "*.csv"}, FieldPattern},
		{"ftp on an absolute server folder", FTPSpec(), with(remote, FieldFolder, "/in"), ""},
		{"ftp zero timeout", FTPSpec(), with(remote, FieldTimeout, "0s"), FieldTimeout},
		{"sftp zero timeout", SFTPSpec(), with(remote, FieldTimeout, "0s"), FieldTimeout},
		{"ftp one session", FTPSpec(), with(remote, FieldSessions, 1), FieldSessions},
		{"ftp two sessions", FTPSpec(), with(remote, FieldSessions, 2), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var secrets map[string]string
			if tt.spec.Name != "folder" {
				secrets = map[string]string{FieldPassword: "set"}
			}
			_, err := tt.spec.ResolveAndValidate(tt.values, secrets, env)
			assertOnlyField(t, err, tt.wantField)
		})
	}
}

// TestValidateFlowStep: a flow's options that fit the flow fields but
// cannot work are refused with an error on the option at fault, for the
// use that has it.
func TestValidateFlowStep(t *testing.T) {
	files := t.TempDir()
	if err := os.MkdirAll(filepath.Join(files, "in", "orders"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.TempDir(), filepath.Join(files, "in", "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.TempDir(), filepath.Join(files, "in", "orders", "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(files, "in", "orders", "back")); err != nil {
		t.Fatal(err)
	}
	env := connectors.Env{Files: connectors.FilesRoot{Dir: files}}
	folder := connectors.Config{Values: map[string]any{FieldFolder: "in"}}
	remote := connectors.Config{Values: map[string]any{FieldFolder: "/srv/in"}}
	r, w := connectors.UseRead, connectors.UseWrite
	tests := []struct {
		name      string
		spec      connectors.Spec
		use       connectors.Use
		values    map[string]any
		wantField string // "" when the options are accepted
	}{
		{"working read options", FolderSpec(), r, map[string]any{FieldSubFolder: "orders", FieldPattern: "*.csv"}, ""},
		{"working write options", FolderSpec(), w, map[string]any{FieldSubFolder: "orders", FieldFileName: "{key}.csv"}, ""},
		{"pattern [", FolderSpec(), r, map[string]any{FieldPattern: "["}, FieldPattern},
		{"sub-folder ../x", FolderSpec(), r, map[string]any{FieldSubFolder: "../x"}, FieldSubFolder},
		{"absolute sub-folder", FolderSpec(), w, map[string]any{FieldSubFolder: "/tmp"}, FieldSubFolder},
		{"sub-folder through a link out", FolderSpec(), r, map[string]any{FieldSubFolder: "out"}, FieldSubFolder},
		{"archive folder ../../etc", FolderSpec(), r, map[string]any{FieldArchiveFolder: "../../etc"}, FieldArchiveFolder},
		{"absolute error folder", FolderSpec(), r, map[string]any{FieldErrorFolder: "/tmp"}, FieldErrorFolder},
		{"output folder through a link out", FolderSpec(), w, map[string]any{FieldOutputFolder: "out"}, FieldOutputFolder},
		{"output folder through a link out of the sub-folder", FolderSpec(), w,
			map[string]any{FieldSubFolder: "orders", FieldOutputFolder: "out"}, FieldOutputFolder},
		{"file name with a slash", FolderSpec(), w, map[string]any{FieldFileName: "../{key}.csv"}, FieldFileName},
		{"hidden file name", FolderSpec(), w, map[string]any{FieldFileName: ".{key}.csv"}, FieldFileName},
		{"unpaired brace", FolderSpec(), w, map[string]any{FieldFileName: "orders-{date.csv"}, FieldFileName},
		{"zero claim timeout", FolderSpec(), r, map[string]any{FieldClaimTimeout: "0s"}, FieldClaimTimeout},
		{"bad XML element", FolderSpec(), w, map[string]any{FieldFormat: FormatXML, FieldXMLRecord: "1st"}, FieldXMLRecord},
		{"XML names unchecked for CSV", FolderSpec(), w, map[string]any{FieldXMLRecord: "1st"}, ""},
		{"a write option on a reading flow", FolderSpec(), r, map[string]any{FieldFileName: "x.csv"}, FieldFileName},
		{"a read option on a writing flow", FolderSpec(), w, map[string]any{FieldPattern: "*.csv"}, FieldPattern},
		{"ftp pattern [", FTPSpec(), r, map[string]any{FieldPattern: "["}, FieldPattern},
		{"ftp archive ../../etc", FTPSpec(), r, map[string]any{FieldArchiveFolder: "../../etc"}, FieldArchiveFolder},
		{"sftp sub-folder ..", SFTPSpec(), w, map[string]any{FieldSubFolder: ".."}, FieldSubFolder},
		{"negative settle time", FolderSpec(), r, map[string]any{FieldSettleTime: "-1s"}, FieldSettleTime},
		{"no settle time", FolderSpec(), r, map[string]any{FieldSettleTime: "0s"}, ""},
		{"ready marker .done", FolderSpec(), r, map[string]any{FieldReadyMarker: ".done"}, ""},
		{"ready marker with a slash", FolderSpec(), r, map[string]any{FieldReadyMarker: "/done"}, FieldReadyMarker},
		{"ready marker with a wildcard", FolderSpec(), r, map[string]any{FieldReadyMarker: "*.ok"}, FieldReadyMarker},
		{"temporary name [", FolderSpec(), r, map[string]any{FieldTemporaryNames: "*.part,["}, FieldTemporaryNames},
		{"create folders on ftp", FTPSpec(), w, map[string]any{FieldCreateFolders: true}, ""},
		{"archive folder .", FolderSpec(), r, map[string]any{FieldArchiveFolder: "."}, FieldArchiveFolder},
		{"archive folder ./", FolderSpec(), r, map[string]any{FieldArchiveFolder: "./"}, FieldArchiveFolder},
		{"empty archive folder takes the default", FolderSpec(), r, map[string]any{FieldArchiveFolder: ""}, ""},
		{"archive folder x/..", FolderSpec(), r, map[string]any{FieldArchiveFolder: "x/.."}, FieldArchiveFolder},
		{"archive folder . when files are deleted", FolderSpec(), r,
			map[string]any{FieldArchiveFolder: ".", FieldAfterRead: "delete"}, ""},
		{"archive folder . in a sub-folder", FolderSpec(), r,
			map[string]any{FieldSubFolder: "orders", FieldArchiveFolder: "./."}, FieldArchiveFolder},
		{"archive folder linking back to the sub-folder", FolderSpec(), r,
			map[string]any{FieldSubFolder: "orders", FieldArchiveFolder: "back"}, FieldArchiveFolder},
		{"processing folder .", FolderSpec(), r, map[string]any{FieldProcessingFolder: "."}, FieldProcessingFolder},
		{"error folder .", FolderSpec(), r, map[string]any{FieldErrorFolder: "."}, FieldErrorFolder},
		{"ftp archive folder .", FTPSpec(), r, map[string]any{FieldArchiveFolder: "."}, FieldArchiveFolder},
		{"sftp processing folder ./", SFTPSpec(), r, map[string]any{FieldProcessingFolder: "./"}, FieldProcessingFolder},
		{"sftp error folder .", SFTPSpec(), r, map[string]any{FieldErrorFolder: "."}, FieldErrorFolder},
		{"output folder .", FolderSpec(), w, map[string]any{FieldOutputFolder: "."}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := remote
			if tt.spec.Name == "folder" {
				conn = folder
			}
			_, err := tt.spec.ResolveAndValidateFlow(tt.use, tt.values, conn, env)
			assertOnlyField(t, err, tt.wantField)
		})
	}
}

// assertOnlyField checks that err is nil when field is "", else a
// *ValidationError on that field alone.
func assertOnlyField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		return
	}
	var ve *connectors.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Fatalf("got %v, want an error on %s", err, field)
	}
	if len(ve.Fields) != 1 {
		t.Errorf("errors on %v, want only %s", ve.Fields, field)
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for key, x := range m {
		out[key] = x
	}
	return out
}
