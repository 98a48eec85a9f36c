package app

import (
	"fmt"

	"github.com/switchboard-app/switchboard/app/instance"
)

// lockDataDir holds the data folder's lock while the appliance serves, so
// that a restore or a second appliance does not take the folder from
// under it; the lock goes when the process ends.
func (s *Switchboard) lockDataDir() error {
	unlock, err := instance.Lock(s.app.DataDir())
	if err != nil {
		return fmt.Errorf("%w: another Switchboard serves it; one data folder takes one appliance", err)
	}
	s.unlock = unlock
	return nil
}
