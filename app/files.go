package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"

	"github.com/pocketbase/pocketbase/core"

	"github.com/switchboard-app/switchboard/connectors"
)

// FilesRootEnv is the environment variable that sets the files root: the
// one local folder that connections read and write files in.
const FilesRootEnv = connectors.FilesRootSetting

// filesDirMode keeps the files root private to the service's user.
const filesDirMode = 0o700

// FilesDir returns the absolute files root of the data folder dataDir:
// SWITCHBOARD_FILES_ROOT (a relative one from the working directory), or
// dataDir/files when it is not set.
func FilesDir(dataDir string) string {
	dir := os.Getenv(FilesRootEnv)
	if dir == "" {
		dir = filepath.Join(dataDir, connectors.DataFilesDir)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// CreateFilesDir returns the files root of dataDir, creating it with mode
// 0700 when it is missing.
func CreateFilesDir(dataDir string) (string, error) {
	dir := FilesDir(dataDir)
	if err := os.MkdirAll(dir, filesDirMode); err != nil {
		return dir, connectors.FilesRootError(dir, err)
	}
	return dir, nil
}

// FilesRoot returns the files root that connectors receive in their Env,
// with the data folder whose own files they must not reach.
func (s *Switchboard) FilesRoot() connectors.FilesRoot {
	data := s.app.DataDir()
	if abs, err := filepath.Abs(data); err == nil {
		data = abs
	}
	return connectors.FilesRoot{Dir: FilesDir(s.app.DataDir()), DataDir: data}
}

// createFilesRoot makes the files root at start; a failure is logged, and
// local file connections then fail with the reason.
func (s *Switchboard) createFilesRoot() {
	dir, err := CreateFilesDir(s.app.DataDir())
	if err != nil {
		s.logger().Error("local file connections cannot work", slog.String("error", err.Error()))
		return
	}
	s.logger().Info("files root", slog.String("folder", dir))
}

// resolveAndValidate checks a connection being saved against its spec and
// runs the connector's Validate step, which may look at local folders. A
// save that changes only the engine's status fields skips the step: the
// status of a connection that no longer passes it must still be recorded.
func (s *Switchboard) resolveAndValidate(rec *core.Record, spec connectors.Spec, config map[string]any, secrets map[string]string) error {
	if statusOnly(rec) {
		_, err := spec.Resolve(config, secrets)
		return err
	}
	_, err := spec.ResolveAndValidate(config, secrets, connectors.Env{Files: s.FilesRoot()})
	return err
}

// engineFields are the connection fields that only the engine writes.
var engineFields = map[string]bool{
	"status": true, "status_message": true, "checked": true, "down_since": true, "failures": true, "updated": true,
}

// statusOnly reports whether a save of a stored connection changes
// nothing but the engine's fields.
func statusOnly(rec *core.Record) bool {
	orig := rec.Original()
	if rec.IsNew() || orig == nil {
		return false
	}
	for _, f := range rec.Collection().Fields {
		name := f.GetName()
		if !engineFields[name] && !reflect.DeepEqual(rec.GetRaw(name), orig.GetRaw(name)) {
			return false
		}
	}
	return true
}
