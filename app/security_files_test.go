package app

// Security tests: local files. The threat is an editor (or anybody who can
// save a connection) using a "folder" connection to read or write files
// the service can reach but should not: the data folder's database and
// secret key, or any file of the machine. Every local path of a connection
// must lie under the files root, given relative to it, and away from the
// data folder's own files, when saved and again when a run opens it.

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors/memory"
)

func folderBody(config string) string {
	return `{"name":"Drop","connector":"folder","config":` + config + `}`
}

// useFilesRoot points SWITCHBOARD_FILES_ROOT at a folder for one test.
func useFilesRoot(dir func(env *testEnv) string) func(t testing.TB, env *testEnv) {
	return func(t testing.TB, env *testEnv) { t.Setenv(FilesRootEnv, dir(env)) }
}

func dataDir(env *testEnv) string       { return env.app.DataDir() }
func dataDirParent(env *testEnv) string { return filepath.Dir(env.app.DataDir()) }

// TestEditorCannotSaveAFolderOutsideTheFilesRoot: an editor's save of a
// folder connection whose folder is absolute, climbs out, follows a link
// out of the files root or reaches into the data folder is refused with a
// 400 that names the field.
func TestEditorCannotSaveAFolderOutsideTheFilesRoot(t *testing.T) {
	outside := t.TempDir()
	fieldErr := func(field string) string { return `"` + field + `":{"code":"validation_invalid_field"` }
	post := func(name, body string, want ...string) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPost, url: fixed(connectionsURL), body: body,
			status: 400, want: want, after: assertNoConnections}
	}
	linkOut := func(t testing.TB, env *testEnv) {
		root, err := CreateFilesDir(env.app.DataDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(root, "shared")); err != nil {
			t.Fatal(err)
		}
	}
	scenarios := []scenario{
		{name: "a folder of the files root is saved", as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			body: folderBody(`{"folder":"exchange/in"}`), status: 200, want: []string{`"folder":"exchange/in"`}},
		post("an absolute folder is refused", folderBody(`{"folder":"/etc"}`),
			fieldErr("folder"), "must be relative to the files root"),
		post(".. is refused", folderBody(`{"folder":"in/../../.."}`), fieldErr("folder"), "no .. or backslash"),
		withSeed(post("a symbolic link out of the files root is refused", folderBody(`{"folder":"shared/in"}`),
			fieldErr("folder"), "leads out of the files root"), linkOut),
		withSeed(post("the data folder is refused when it is the files root", folderBody(`{"folder":"."}`),
			fieldErr("folder"), "is the data folder"), useFilesRoot(dataDir)),
		withSeed(post("a path into the data folder is refused when the files root holds it", folderBody(`{"folder":"backups"}`),
			fieldErr("folder"), "is inside the data folder"), useFilesRoot(dataDir)),
		post("a flow's setting in the connection is refused", folderBody(`{"folder":"in","pattern":"*.csv"}`),
			`"config":{"pattern":{"code":"validation_invalid_field","message":"Unknown field."}}`),
	}
	parent := post("the data folder is refused when its parent is the files root", "",
		fieldErr("folder"), "is the data folder")
	parent.seed = useFilesRoot(dataDirParent)
	parent.bodyOf = func(env *testEnv) string {
		return folderBody(fmt.Sprintf(`{"folder":%q}`, filepath.Base(env.app.DataDir())))
	}
	inside := post("an absolute folder inside the files root is refused too", "", fieldErr("folder"), "not absolute")
	inside.bodyOf = func(env *testEnv) string {
		return folderBody(fmt.Sprintf(`{"folder":%q}`, filepath.Join(FilesDir(env.app.DataDir()), "in")))
	}
	for _, sc := range append(scenarios, parent, inside) {
		sc.run(t)
	}
}

// TestEditorCannotSaveAFlowFolderOutsideItsConnection: a flow's
// sub-folder and the folders in it stay inside its folder connection's
// folder, and away from the data folder: a save that leads elsewhere is
// refused with a 400 naming the option. So is a lifecycle folder that is
// the sub-folder itself, whose files would be read again at every run.
func TestEditorCannotSaveAFlowFolderOutsideItsConnection(t *testing.T) {
	optionErr := func(use, field string) string {
		return `"options":{"` + use + `":{"` + field + `":{"code":"validation_invalid_option"`
	}
	// folders of the source ("In") and target ("Out") connections: on
	// the data folder's files, the one folder of it a connection may use
	targetOnFiles, sourceOnFiles := [2]string{"files/in", "files"}, [2]string{"files", "files/in"}
	plain := [2]string{"in", "out"}
	post := func(name string, folders [2]string, root func(t testing.TB, env *testEnv), options string, want ...string) scenario {
		return scenario{name: name, as: "editor", method: http.MethodPost, url: fixed("/api/collections/flows/records"),
			status: 400, want: want, seed: seedFolderIntegration(root, folders),
			bodyOf: func(env *testEnv) string { return folderFlowBody(t, env, options) }}
	}
	scenarios := []scenario{
		post("an output folder climbing into the data folder is refused", targetOnFiles, useFilesRoot(dataDir),
			`{"target":{"output_folder":"../backups"}}`, optionErr("target", "output_folder"), "without .."),
		post("an output folder linked into the data folder is refused", targetOnFiles, linkIntoData,
			`{"target":{"output_folder":"out"}}`, optionErr("target", "output_folder"), "is inside the data folder"),
		post("a sub-folder linked into the data folder is refused", sourceOnFiles, linkIntoData,
			`{"source":{"sub_folder":"out"}}`, optionErr("source", "sub_folder"), "is inside the data folder"),
		post("a sub-folder .. is refused", plain, nil, `{"source":{"sub_folder":"../.."}}`,
			optionErr("source", "sub_folder"), "without .."),
		post("archive_folder ../../etc is refused", plain, nil, `{"source":{"archive_folder":"../../etc"}}`,
			optionErr("source", "archive_folder"), "without .."),
		post("archive_folder . is refused", plain, nil, `{"source":{"archive_folder":"."}}`,
			optionErr("source", "archive_folder"), "is the flow's sub-folder itself"),
		post("processing_folder ./ is refused", plain, nil, `{"source":{"processing_folder":"./"}}`,
			optionErr("source", "processing_folder"), "is the flow's sub-folder itself"),
		post("pattern [ is refused", plain, nil, `{"source":{"pattern":"["}}`, optionErr("source", "pattern"), "syntax error in pattern"),
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// seedFolderIntegration prepares the files root with root, when set, and
// saves two folder connections, "In" and "Out" on folders, and an
// integration of both.
func seedFolderIntegration(root func(t testing.TB, env *testEnv), folders [2]string) func(t testing.TB, env *testEnv) {
	return func(t testing.TB, env *testEnv) {
		if root != nil {
			root(t, env)
		}
		in := env.saveConnection(t, "In", "folder", map[string]any{"folder": folders[0]}, nil)
		out := env.saveConnection(t, "Out", "folder", map[string]any{"folder": folders[1]}, nil)
		newRecord(t, env.app, "integrations", map[string]any{"name": "Folders", "a": in.Id, "b": out.Id, "enabled": true})
	}
}

// folderFlowBody is a product flow from "In" to "Out" with options.
func folderFlowBody(t testing.TB, env *testEnv, options string) string {
	integ, err := env.app.FindFirstRecordByData("integrations", "name", "Folders")
	if err != nil {
		t.Fatal(err)
	}
	return `{"integration":"` + integ.Id + `","name":"f","entity":"product","source":"` + id(t, env, "In") +
		`","target":"` + id(t, env, "Out") + `","options":` + options + `}`
}

// linkIntoData makes the data folder the files root, with a link from its
// files sub-folder to its backups.
func linkIntoData(t testing.TB, env *testEnv) {
	t.Setenv(FilesRootEnv, env.app.DataDir())
	files := filepath.Join(env.app.DataDir(), "files")
	for _, dir := range []string{files, filepath.Join(env.app.DataDir(), "backups")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../backups", filepath.Join(files, "out")); err != nil {
		t.Fatal(err)
	}
}

func withSeed(sc scenario, seed func(t testing.TB, env *testEnv)) scenario {
	sc.seed = seed
	return sc
}

// TestSecretKeyCannotBeImportedThroughAFolderConnection reproduces the
// attack: a folder connection on the data folder with pattern secret.key
// imported the key as a record every viewer could read, and its run then
// archived the key file. The save is refused whatever the files root; a
// connection stored without the checks (as one saved before them) is
// refused when it runs, and the key stays where it is, unread.
func TestSecretKeyCannotBeImportedThroughAFolderConnection(t *testing.T) {
	saves := []struct {
		name   string
		root   func(env *testEnv) string // nil: the default files root
		folder func(env *testEnv) string
	}{
		{"absolute data folder", nil, dataDir},
		{"up from the default files root", nil, func(*testEnv) string { return ".." }},
		{"files root is the data folder", dataDir, func(*testEnv) string { return "." }},
		{"files root is the data folder's parent", dataDirParent, func(env *testEnv) string { return filepath.Base(env.app.DataDir()) }},
	}
	for _, s := range saves {
		sc := scenario{name: "saving: " + s.name, as: "editor", method: http.MethodPost, url: fixed(connectionsURL),
			status: 400, want: []string{`"folder":{"code":"validation_invalid_field"`}, after: assertNoConnections}
		if s.root != nil {
			sc.seed = useFilesRoot(s.root)
		}
		folder := s.folder
		sc.bodyOf = func(env *testEnv) string {
			return folderBody(fmt.Sprintf(`{"folder":%q}`, folder(env)))
		}
		sc.run(t)
	}
	runs := []struct {
		name, want string
		root       func(env *testEnv) string
		folder     func(env *testEnv) string
	}{
		{"absolute data folder", "must be relative to the files root", nil, dataDir},
		{"files root is the data folder", "is the data folder", dataDir, func(*testEnv) string { return "." }},
	}
	for _, r := range runs {
		t.Run("running: "+r.name, func(t *testing.T) {
			env := newTestEnv(t)
			if r.root != nil {
				t.Setenv(FilesRootEnv, r.root(env))
			}
			key := filepath.Join(env.app.DataDir(), "secret.key")
			before, err := os.ReadFile(key)
			if err != nil {
				t.Fatalf("the data folder has no key file: %v", err)
			}
			src := saveUnchecked(t, env, "Data folder", map[string]any{"folder": r.folder(env)})
			fe := newFileFlow(t, env, src, map[string]any{"pattern": "secret.key", "header": false, "columns": "key"})
			run := fe.finishedRun(t)
			if !strings.Contains(run.GetString("error"), r.want) {
				t.Fatalf("run error %q, want %q", run.GetString("error"), r.want)
			}
			if n, _ := env.app.CountRecords("transactions"); n != 0 {
				t.Fatalf("%d transactions, want none", n)
			}
			after, err := os.ReadFile(key)
			if err != nil || !bytes.Equal(before, after) {
				t.Fatalf("the key file was moved or changed: %v", err)
			}
		})
	}
}

// TestARunRefusesAFolderSwappedForALinkOut: a folder that was a link
// inside the files root when it was saved, and is then swapped for a link
// out of it, is refused by the next run, which reads and moves nothing.
func TestARunRefusesAFolderSwappedForALinkOut(t *testing.T) {
	env := newTestEnv(t)
	root, err := CreateFilesDir(env.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "real", "a.csv"), "sku,name\nA1,Chair\n")
	link := filepath.Join(root, "in")
	if err := os.Symlink("real", link); err != nil {
		t.Fatal(err)
	}
	src := env.saveConnection(t, "Drop", "folder", map[string]any{"folder": "in"}, nil)
	fe := newFileFlow(t, env, src, map[string]any{"pattern": "*.csv", "key_field": "sku"})
	if run := fe.finishedRun(t); run.GetString("error") != "" {
		t.Fatalf("first run: error %q", run.GetString("error"))
	}
	eventually(t, "A1 written", func() bool { return fe.target.Len() == 1 })

	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "b.csv"), "sku,name\nB1,Stolen\n")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	run := fe.finishedRun(t)
	if !strings.Contains(run.GetString("error"), "leads out of the files root") {
		t.Fatalf("run after the swap: error %q, want the folder refused", run.GetString("error"))
	}
	if _, err := os.Stat(filepath.Join(outside, "b.csv")); err != nil {
		t.Fatalf("the file outside was moved: %v", err)
	}
	if n, _ := env.app.CountRecords("transactions"); n != 1 {
		t.Fatalf("%d transactions, want only A1's", n)
	}
}

// TestAFolderOutsideTheFilesRootFailsItsTestAndItsNextSave: a connection
// stored before the files root with an absolute folder gets a failing
// verdict, which is recorded as its status, and an editor's next save of
// it is refused until the folder is moved.
func TestAFolderOutsideTheFilesRootFailsItsTestAndItsNextSave(t *testing.T) {
	seed := func(t testing.TB, env *testEnv) {
		saveUnchecked(t, env, "Legacy", map[string]any{"folder": t.TempDir()})
	}
	id := func(env *testEnv) string {
		rec, err := env.app.FindFirstRecordByData(connectionsCollection, "name", "Legacy")
		if err != nil {
			panic(err)
		}
		return rec.Id
	}
	scenarios := []scenario{
		{name: "the test fails with the reason, kept as the status", as: "operator", method: http.MethodPost, seed: seed,
			url: func(env *testEnv) string { return "/api/switchboard/connections/" + id(env) + "/test" }, status: 200,
			want: []string{`"ok":false`, "must be relative to the files root"},
			after: func(t testing.TB, env *testEnv) {
				rec, _ := env.app.FindRecordById(connectionsCollection, id(env))
				if rec.GetString("status") != "failing" || !strings.Contains(rec.GetString("status_message"), "files root") {
					t.Fatalf("status %q %q, want failing with the reason", rec.GetString("status"), rec.GetString("status_message"))
				}
			}},
		{name: "renaming it is refused until the folder is moved", as: "editor", method: http.MethodPatch, seed: seed,
			url: func(env *testEnv) string { return connectionsURL + "/" + id(env) }, body: `{"name":"Renamed"}`, status: 400,
			want: []string{`"folder":{"code":"validation_invalid_field"`, "must be relative to the files root"}},
	}
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// saveUnchecked stores a folder connection without the save checks, as a
// connection saved before them is stored.
func saveUnchecked(t testing.TB, env *testEnv, name string, config map[string]any) *core.Record {
	t.Helper()
	col, err := env.app.FindCollectionByNameOrId(connectionsCollection)
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set("name", name)
	rec.Set("connector", "folder")
	rec.Set("config", config)
	rec.Set("status", "unknown")
	if err := env.app.SaveNoValidate(rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// fileFlow is a flow of products from a folder connection to a memory
// store, with the engine running; source holds its options for reading.
type fileFlow struct {
	env    *testEnv
	flow   *core.Record
	target *memory.Store
}

func newFileFlow(t *testing.T, env *testEnv, src *core.Record, source map[string]any) *fileFlow {
	t.Helper()
	env.sb.engine.cfg = fastEngine.withDefaults()
	store := fmt.Sprintf("files-%d", storeSeq.Add(1))
	dst := env.saveConnection(t, "Target", "memory", map[string]any{"store": store}, nil)
	integ := newRecord(t, env.app, "integrations", map[string]any{"name": "Files", "a": src.Id, "b": dst.Id, "enabled": true})
	flow := newRecord(t, env.app, "flows", map[string]any{"integration": integ.Id, "name": "files", "entity": "product",
		"source": src.Id, "target": dst.Id, "enabled": true, "schedule": "", "options": map[string]any{OptionsSource: source}})
	if err := env.sb.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.sb.engine.Stop)
	return &fileFlow{env: env, flow: flow, target: memory.Open(store)}
}

// finishedRun runs the flow now and returns its run once it has finished.
func (f *fileFlow) finishedRun(t *testing.T) *core.Record {
	t.Helper()
	var id string
	eventually(t, "the run to start", func() bool {
		var err error
		id, err = f.env.sb.engine.RunFlow(f.flow.Id, TriggerManual)
		return err == nil
	})
	var run *core.Record
	eventually(t, "the run to finish", func() bool {
		var err error
		run, err = f.env.app.FindRecordById("runs", id)
		return err == nil && !run.GetDateTime("finished").IsZero()
	})
	return run
}

func writeFile(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
