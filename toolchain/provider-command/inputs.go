package main

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// fieldKind is the Pulumi type of an input, as the schema (schema.go) declares it.
type fieldKind int

const (
	kindString fieldKind = iota
	kindBool
	kindStringList
	kindStringMap
	kindAnyList
)

type field struct {
	name resource.PropertyKey
	kind fieldKind
}

// baseFields are the inputs shared by command:local:Command and command:local:run.
var baseFields = []field{
	{"addPreviousOutputInEnv", kindBool},
	{"archivePaths", kindStringList},
	{"assetPaths", kindStringList},
	{"dir", kindString},
	{"environment", kindStringMap},
	{"interpreter", kindStringList},
	{"logging", kindString},
	{"stdin", kindString},
}

var commandFields = append([]field{
	{"create", kindString},
	{"delete", kindString},
	{"triggers", kindAnyList},
	{"update", kindString},
}, baseFields...)

var runFields = append([]field{{"command", kindString}}, baseFields...)

// outputKeys are what a run adds to the inputs in state (assets and archive only when asked for).
var outputKeys = []resource.PropertyKey{"stdout", "stderr", "assets", "archive"}

// typeFailures checks the known fields of props against their types, as upstream's decoding into
// typed structs does. Unknown values pass: they are checked once known.
func typeFailures(props resource.PropertyMap, fields []field, required ...resource.PropertyKey) map[string]string {
	failures := map[string]string{}
	for _, f := range fields {
		v, ok := props[f.name]
		if !ok || v.IsNull() {
			continue
		}
		if reason := kindMismatch(v, f.kind); reason != "" {
			failures[string(f.name)] = reason
		}
	}
	for _, key := range required {
		if v, ok := props[key]; !ok || v.IsNull() {
			failures[string(key)] = fmt.Sprintf("Missing required field '%s'", key)
		}
	}
	return failures
}

func kindMismatch(v resource.PropertyValue, kind fieldKind) string {
	v = unwrapSecret(v)
	if v.IsComputed() || v.IsOutput() {
		return ""
	}
	switch kind {
	case kindString:
		if !v.IsString() {
			return "expected a string, got " + describe(v)
		}
	case kindBool:
		if !v.IsBool() {
			return "expected a boolean, got " + describe(v)
		}
	case kindStringList, kindAnyList:
		if !v.IsArray() {
			return "expected a list, got " + describe(v)
		}
		if kind == kindStringList {
			for i, e := range v.ArrayValue() {
				if reason := kindMismatch(e, kindString); reason != "" {
					return fmt.Sprintf("element %d: %s", i, reason)
				}
			}
		}
	case kindStringMap:
		if !v.IsObject() {
			return "expected a map of strings, got " + describe(v)
		}
		for _, k := range v.ObjectValue().StableKeys() {
			if reason := kindMismatch(v.ObjectValue()[k], kindString); reason != "" {
				return fmt.Sprintf("key %q: %s", k, reason)
			}
		}
	}
	return ""
}

func describe(v resource.PropertyValue) string {
	return string(v.TypeString())
}

func unwrapSecret(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// only keeps the given fields of props, dropping nulls, as upstream's typed decoding does; values
// (secret, unknown) are kept as they came.
func only(props resource.PropertyMap, fields []field) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, f := range fields {
		if v, ok := props[f.name]; ok && !v.IsNull() {
			out[f.name] = v
		}
	}
	return out
}

// settings are the plain values of the base inputs a run needs (secrets unwrapped).
type settings struct {
	dir            *string
	environment    map[string]string
	interpreter    []string
	stdin          string
	logStdout      bool
	logStderr      bool
	assetPaths     *[]string
	archivePaths   *[]string
	addPreviousOut bool
}

func settingsOf(props resource.PropertyMap) settings {
	s := settings{addPreviousOut: true}
	if v, ok := stringOf(props["dir"]); ok {
		s.dir = &v
	}
	if env := unwrapSecret(props["environment"]); env.IsObject() {
		s.environment = map[string]string{}
		for k, v := range env.ObjectValue() {
			s.environment[string(k)], _ = stringOf(v)
		}
	}
	if list, ok := stringsOf(props["interpreter"]); ok {
		s.interpreter = list
	}
	s.stdin, _ = stringOf(props["stdin"])
	// As upstream: no logging setting logs both streams; a value that names neither logs nothing.
	logging, set := stringOf(props["logging"])
	s.logStdout = !set || logging == "stdout" || logging == "stdoutAndStderr"
	s.logStderr = !set || logging == "stderr" || logging == "stdoutAndStderr"
	if list, ok := stringsOf(props["assetPaths"]); ok {
		s.assetPaths = &list
	}
	if list, ok := stringsOf(props["archivePaths"]); ok {
		s.archivePaths = &list
	}
	if v := unwrapSecret(props["addPreviousOutputInEnv"]); v.IsBool() {
		s.addPreviousOut = v.BoolValue()
	}
	return s
}

func stringOf(v resource.PropertyValue) (string, bool) {
	v = unwrapSecret(v)
	if v.IsString() {
		return v.StringValue(), true
	}
	return "", false
}

func stringsOf(v resource.PropertyValue) ([]string, bool) {
	v = unwrapSecret(v)
	if !v.IsArray() {
		return nil, false
	}
	list := make([]string, 0, len(v.ArrayValue()))
	for _, e := range v.ArrayValue() {
		s, _ := stringOf(e)
		list = append(list, s)
	}
	return list, true
}
