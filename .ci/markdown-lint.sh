#!/usr/bin/env bash
# markdown-lint.sh FILE...: each Markdown file says each thing once. Fails on
# a heading that appears twice in a file, or a table (its header row and
# every row after it) that appears twice, which is how a section pasted
# twice shows. Fenced code blocks are skipped: sample output may repeat.
set -euo pipefail
status=0
for file in "$@"; do
    report=$(awk -v file="$file" '
        /^```/ { fence = !fence; next }
        fence { next }
        /^#+ / {
            if (seen_heading[$0]++) printf "%s:%d: heading repeated: %s\n", file, NR, $0
        }
        /^\|/ { table = table $0 "\n"; if (!start) start = NR; next }
        {
            if (table != "" && seen_table[table]++) printf "%s:%d: table repeated (first row: %s)\n", file, start, substr(table, 1, index(table, "\n") - 1)
            table = ""; start = 0
        }
        END {
            if (table != "" && seen_table[table]++) printf "%s:%d: table repeated\n", file, start
        }' "$file")
    if [[ -n "$report" ]]; then
        printf '%s\n' "$report" >&2
        status=1
    fi
done
exit "$status"
