package cmd

// humanize turns an error chain into the one sentence a user reads.
func humanize(err error) string { return err.Error() }
