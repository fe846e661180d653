package sql

import (
	"fmt"
	"strings"
)

// Statement is one SQL statement with its arguments. Adapters build them as
// plain data so they can be compared in tests and printed in a dry run. The
// statements of the pod scripts carry named placeholders ({{name}}, see
// PodStatements) instead of arguments: they never hold a password.
type Statement struct {
	// SQL is the statement text; "?" marks an argument.
	SQL string
	// Args are the values for the "?" marks, sent separately from the text.
	Args []any
}

// String renders the statement for people: arguments are shown in place of
// their "?" marks.
func (s Statement) String() string {
	var b strings.Builder
	args := s.Args
	var quote byte // the quote character of the literal being copied, or 0
	for i := 0; i < len(s.SQL); i++ {
		c := s.SQL[i]
		switch {
		case quote != 0 && c == '\\' && i+1 < len(s.SQL):
			b.WriteByte(c)
			i++
			c = s.SQL[i]
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"' || c == '`'):
			quote = c
		case quote == 0 && c == '?' && len(args) > 0:
			b.WriteString(literal(args[0]))
			args = args[1:]
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// literal prints an argument as it would appear in SQL text.
func literal(a any) string {
	if str, ok := a.(string); ok {
		return QuoteString(str)
	}
	return fmt.Sprint(a)
}

// summary names the statement in errors without any literal it carries: the
// text up to the first quote, placeholder or assignment ("CHANGE MASTER TO").
func (s Statement) summary() string {
	head := s.SQL
	if i := strings.IndexAny(head, "'\"?=(`"); i >= 0 {
		head = head[:i]
	}
	head = strings.TrimSpace(head)
	if head == "" {
		return "statement"
	}
	return head
}

// QuoteString returns s as a single-quoted MySQL string literal for servers
// in the default SQL mode, escaping like mysql_real_escape_string. Statement
// String uses it to show arguments, and redaction to find a password echoed
// in a server's error.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\', '\'', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// quoteStringNoBackslash quotes as for servers whose sql_mode contains
// NO_BACKSLASH_ESCAPES (a backslash is an ordinary character and the only
// escape is a doubled quote), the other form a server may echo a secret in.
func quoteStringNoBackslash(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// QuoteIdentifier returns name as a backquoted identifier (schema, table).
func QuoteIdentifier(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
