package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
	"sigs.k8s.io/yaml"
)

// outputFormat is the value of -o for the commands that print data.
type outputFormat string

// Output formats, kubectl's names.
const (
	outputTable outputFormat = "table"
	outputWide  outputFormat = "wide"
	outputJSON  outputFormat = "json"
	outputYAML  outputFormat = "yaml"
)

// parseOutput checks -o; a wrong value is a usage error.
func parseOutput(s string) (outputFormat, error) {
	switch f := outputFormat(s); f {
	case outputTable, outputWide, outputJSON, outputYAML:
		return f, nil
	case "":
		return outputTable, nil
	}
	return "", usageError(fmt.Errorf("output format %q is not known: pass -o table, wide, json or yaml", s))
}

// writeJSON prints v as indented JSON: the documented schema of
// docs/status-schema.md, stable for scripts.
func writeJSON(w io.Writer, v any) error {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// writeYAML prints v as YAML with the same keys as its JSON (sigs.k8s.io/yaml
// goes through the json tags).
func writeYAML(w io.Writer, v any) error {
	out, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	_, err = w.Write(out)
	return err
}

// writeData prints v as JSON or YAML; table formats are the caller's.
func writeData(w io.Writer, format outputFormat, v any) error {
	if format == outputYAML {
		return writeYAML(w, v)
	}
	return writeJSON(w, v)
}

// isSmartTerminal reports whether w is a terminal that understands cursor
// movement: not redirected, and TERM is not "dumb".
func isSmartTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	return os.Getenv("TERM") != "dumb"
}
