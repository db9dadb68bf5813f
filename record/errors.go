package record

// OptionError is a mistake in the options that could only be found once
// the run began (a target whose clock disagrees with --time-scale, a flow
// the runner refuses): the command's usage error (exit 2), not a failure.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// BadOption marks the error as the user's to fix on the command line.
func (e *OptionError) BadOption() {}
