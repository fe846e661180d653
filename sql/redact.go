package sql

import (
	"context"
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
)

const redacted = "<redacted>"

// redactText replaces every secret in text, in its raw form and in the
// escaped forms QuoteString and quoteStringNoBackslash give it, because a
// server error may echo the statement text ("... near 'pa\'ss' at line 1").
func redactText(text string, secrets []string) string {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{QuoteString(s), quoteStringNoBackslash(s)} {
			text = strings.ReplaceAll(text, form, "'"+redacted+"'")
			text = strings.ReplaceAll(text, form[1:len(form)-1], redacted)
		}
		text = strings.ReplaceAll(text, s, redacted)
	}
	return text
}

// redactedError is an error whose text had secrets removed. It still unwraps
// to a server error (with its message cleaned too) so callers can test the
// error number with errors.As, and to context errors for errors.Is.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// redact returns err unchanged when its text holds no secret, and otherwise
// an error with the same text minus the secrets. The original chain is cut
// there, because any error in it could print the secret again; only the
// MySQL error (cleaned) and the context errors are kept for inspection.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := redactText(msg, secrets)
	if clean == msg {
		return err
	}
	out := &redactedError{msg: clean}
	var myErr *mysql.MySQLError
	switch {
	case errors.As(err, &myErr):
		copied := *myErr
		copied.Message = redactText(copied.Message, secrets)
		out.cause = &copied
	case errors.Is(err, context.DeadlineExceeded):
		out.cause = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		out.cause = context.Canceled
	}
	return out
}
