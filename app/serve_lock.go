package app

import (
	"fmt"

	"github.com/switchboard-app/switchboard/app/instance"
)

// LockDataDir holds the data folder's lock while the appliance serves, so
// that a restore or a second appliance does not take the folder from
// under it; the lock goes when the process ends. serve takes it before it
// applies the migrations, so that a second appliance (a newer build among
// them) is refused before it changes the schema under the one that runs;
// taken already, it is kept.
func (s *Switchboard) LockDataDir() error {
	if s.unlock != nil {
		return nil
	}
	unlock, err := instance.Lock(s.app.DataDir())
	if err != nil {
		return fmt.Errorf("%w: another Switchboard serves it; one data folder takes one appliance", err)
	}
	s.unlock = unlock
	return nil
}
