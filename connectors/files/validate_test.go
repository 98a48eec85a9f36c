package files

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-app/switchboard/connectors"
)

// TestValidateStep: configs that fit the fields but cannot work are
// refused with an error on the field at fault.
func TestValidateStep(t *testing.T) {
	files := t.TempDir()
	if err := os.Mkdir(filepath.Join(files, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.TempDir(), filepath.Join(files, "in", "out")); err != nil {
		t.Fatal(err)
	}
	env := connectors.Env{Files: connectors.FilesRoot{Dir: files}}
	remote := map[string]any{FieldHost: "ftp.example.com", FieldUsername: "bob"}
	tests := []struct {
		name      string
		spec      connectors.Spec
		values    map[string]any
		wantField string // "" when the config is accepted
	}{
		{"a working folder config", FolderSpec(), map[string]any{FieldFolder: "in"}, ""},
		{"pattern [", FolderSpec(), map[string]any{FieldFolder: "in", FieldPattern: "["}, FieldPattern},
		{"archive folder ../../etc", FolderSpec(), map[string]any{FieldFolder: "in", FieldArchiveFolder: "../../etc"}, FieldArchiveFolder},
		{"absolute error folder", FolderSpec(), map[string]any{FieldFolder: "in", FieldErrorFolder: "/tmp"}, FieldErrorFolder},
		{"output folder through a link out", FolderSpec(), map[string]any{FieldFolder: "in", FieldOutputFolder: "out"}, FieldOutputFolder},
		{"absolute folder", FolderSpec(), map[string]any{FieldFolder: files}, FieldFolder},
		{"folder ..", FolderSpec(), map[string]any{FieldFolder: ".."}, FieldFolder},
		{"file name with a slash", FolderSpec(), map[string]any{FieldFolder: "in", FieldFileName: "../{key}.csv"}, FieldFileName},
		{"hidden file name", FolderSpec(), map[string]any{FieldFolder: "in", FieldFileName: ".{key}.csv"}, FieldFileName},
		{"unpaired brace", FolderSpec(), map[string]any{FieldFolder: "in", FieldFileName: "orders-{date.csv"}, FieldFileName},
		{"zero claim timeout", FolderSpec(), map[string]any{FieldFolder: "in", FieldClaimTimeout: "0s"}, FieldClaimTimeout},
		{"bad XML element", FolderSpec(), map[string]any{FieldFolder: "in", FieldFormat: FormatXML, FieldXMLRecord: "1st"}, FieldXMLRecord},
		{"XML names unchecked for CSV", FolderSpec(), map[string]any{FieldFolder: "in", FieldXMLRecord: "1st"}, ""},
		{"ftp on an absolute server folder", FTPSpec(), with(remote, FieldFolder, "/in"), ""},
		{"ftp pattern [", FTPSpec(), with(remote, FieldPattern, "["), FieldPattern},
		{"ftp archive ../../etc", FTPSpec(), with(remote, FieldArchiveFolder, "../../etc"), FieldArchiveFolder},
		{"sftp zero timeout", SFTPSpec(), with(remote, FieldTimeout, "0s"), FieldTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var secrets map[string]string
			if tt.spec.Name != "folder" {
				secrets = map[string]string{FieldPassword: "set"}
			}
			_, err := tt.spec.ResolveAndValidate(tt.values, secrets, env)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("ResolveAndValidate = %v, want nil", err)
				}
				return
			}
			var ve *connectors.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tt.wantField] == "" {
				t.Fatalf("ResolveAndValidate = %v, want an error on %s", err, tt.wantField)
			}
			if len(ve.Fields) != 1 {
				t.Errorf("errors on %v, want only %s", ve.Fields, tt.wantField)
			}
		})
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for key, x := range m {
		out[key] = x
	}
	return out
}
