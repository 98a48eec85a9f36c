package ui

import "errors"

// errRefused marks an action the UI refuses on its own terms.
var errRefused = errors.New("refused")
