#!/bin/bash
# statements.sh: fills the statement files that mysqlctl renders per flavour
# (stmt-*.sql in CONFIG_DIR, from Go's sql.PodStatements). Sourced by lib.sh;
# the Go tests source it alone to run the very same filler.
#
# A file holds statements with named placeholders:
#   {{name}}      replaced by the value as a quoted SQL string literal
#   {{name:int}}  replaced by the value, which must be an unsigned integer
# Values are function arguments, never a command's argv, and the output is
# piped to the client's stdin: passwords never show in a process list.

# sql_literal KIND VALUE prints VALUE as SQL: KIND "str" a string literal
# (for the default sql_mode, where a backslash escapes), "int" digits only.
# Every value that reaches a statement goes through this one function.
sql_literal() {
    local s
    case $1 in
    str)
        s=${2//\\/\\\\}
        printf "'%s'" "${s//\'/\'\'}"
        ;;
    int)
        [[ "$2" =~ ^[0-9]+$ ]] || return 1
        printf '%s' "$2"
        ;;
    *) return 1 ;;
    esac
}

# sql_fill FILE [NAME=VALUE]... prints the statements of CONFIG_DIR/FILE
# with every placeholder replaced, in one pass: a value is never searched
# for placeholders itself. The first NAME=VALUE of a name wins; names the
# file does not use are ignored. It prints nothing and fails when FILE is
# missing, a placeholder has no value or a value does not fit its kind.
sql_fill() {
    local file="${CONFIG_DIR:?}/$1" text out="" ph name kind pair value found
    shift
    if [[ ! -f "$file" ]]; then
        printf 'sql_fill: no statement file %s\n' "$file" >&2
        return 1
    fi
    text=$(<"$file")
    while [[ "$text" == *"{{"*"}}"* ]]; do
        out+=${text%%"{{"*}
        text=${text#*"{{"}
        ph=${text%%"}}"*}
        text=${text#*"}}"}
        name=${ph%:int} kind=str
        if [[ "$name" != "$ph" ]]; then
            kind=int
        fi
        found=""
        for pair in "$@"; do
            if [[ "${pair%%=*}" == "$name" ]]; then
                found=yes value=${pair#*=}
                break
            fi
        done
        if [[ -z "$found" ]]; then
            printf 'sql_fill: %s: no value for {{%s}}\n' "${file##*/}" "$ph" >&2
            return 1
        fi
        if ! value=$(sql_literal "$kind" "$value"); then
            printf 'sql_fill: %s: the value of {{%s}} is not an unsigned integer\n' "${file##*/}" "$ph" >&2
            return 1
        fi
        out+=$value
    done
    printf '%s%s\n' "$out" "$text"
}
