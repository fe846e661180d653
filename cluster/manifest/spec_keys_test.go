package manifest

import (
	"reflect"
	"strings"
	"testing"
)

// Every field of Spec is a key of the table, under its config-file name,
// and each row reads and writes that field and no other: a field added
// without its row, or a row pointing at the wrong field, fails here.
func TestSpecKeysCoverEveryField(t *testing.T) {
	rows := SpecKeys()
	if len(rows) != int(numSpecKeys) {
		t.Fatalf("%d rows for %d keys", len(rows), numSpecKeys)
	}
	byName := map[string]SpecKeyRow{}
	for i, row := range rows {
		if row.Key != SpecKey(i) {
			t.Errorf("row %d (%s) holds key %d: rows follow the constants' order", i, row.Name, row.Key)
		}
		byName[row.Name] = row
	}
	typ := reflect.TypeOf(Spec{})
	for i := 0; i < typ.NumField(); i++ {
		field := typ.Field(i)
		name := strings.Split(field.Tag.Get("json"), ",")[0]
		row, ok := byName[name]
		if !ok {
			t.Errorf("Spec.%s (%q) has no row in SpecKeys", field.Name, name)
			continue
		}
		delete(byName, name)
		var s Spec
		value := "7"
		if err := row.Set(&s, value); err != nil {
			t.Fatalf("%s: Set(%q): %v", name, value, err)
		}
		got := reflect.ValueOf(s)
		for j := 0; j < typ.NumField(); j++ {
			changed := !got.Field(j).IsZero()
			if changed != (j == i) {
				t.Errorf("key %s set Spec.%s (changed %v)", name, typ.Field(j).Name, changed)
			}
		}
		if row.Get(s) != value || row.Key.String() != name {
			t.Errorf("key %s: Get %q, String %q", name, row.Get(s), row.Key.String())
		}
	}
	for name := range byName {
		t.Errorf("row %s names no field of Spec", name)
	}
}

func TestReplicasFromText(t *testing.T) {
	row := SpecKeys()[KeyReplicas]
	for _, bad := range []string{"abc", "0", "-1", "1.5"} {
		var s Spec
		if err := row.Set(&s, bad); err == nil || !strings.Contains(err.Error(), "pass --replicas 1 or more") {
			t.Errorf("replicas %q: %v", bad, err)
		}
	}
}
