package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Link with nothing to link leaves the program alone (`pulumi convert` always calls it).
func TestLinkWithoutPackagesChangesNothing(t *testing.T) {
	dir := t.TempDir()
	manifest := `{"name":"p","dependencies":{"@pulumi/pulumi":"^3.0.0"}}`
	writeFile(t, filepath.Join(dir, "package.json"), manifest)
	resp, err := newLanguageHost().Link(context.Background(), &pulumirpc.LinkRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetImportInstructions() != "" {
		t.Fatalf("instructions %q, want none", resp.GetImportInstructions())
	}
	got, _ := os.ReadFile(filepath.Join(dir, "package.json"))
	if string(got) != manifest {
		t.Fatalf("package.json changed to %s", got)
	}
}

// A linked SDK becomes a file: dependency under the name its own package.json gives, relative to
// the program, and every other field of the program's package.json stays.
func TestLinkAddsLocalSDKs(t *testing.T) {
	root := t.TempDir()
	program := filepath.Join(root, "program")
	sdk := filepath.Join(root, "program", "sdks", "my-pkg")
	writeFile(t, filepath.Join(program, "package.json"),
		`{"name":"p","main":"index.ts","dependencies":{"@pulumi/pulumi":"^3.0.0"}}`)
	writeFile(t, filepath.Join(sdk, "package.json"), `{"name":"@scope/my-pkg","version":"0.0.1"}`)
	resp, err := newLanguageHost().Link(context.Background(), &pulumirpc.LinkRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: program},
		Packages: []*pulumirpc.LinkRequest_LinkDependency{
			{Package: &pulumirpc.PackageDependency{Name: "my-pkg"}, Path: sdk},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := `import * as myPkg from "@scope/my-pkg";`; resp.GetImportInstructions() != want {
		t.Fatalf("instructions %q, want %q", resp.GetImportInstructions(), want)
	}
	raw, _ := os.ReadFile(filepath.Join(program, "package.json"))
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	deps := got["dependencies"].(map[string]any)
	if deps["@scope/my-pkg"] != "file:sdks/my-pkg" || deps["@pulumi/pulumi"] != "^3.0.0" || got["main"] != "index.ts" {
		t.Fatalf("package.json is %s", raw)
	}
}

func TestLinkNamesAPackageWithoutManifest(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "package.json"), `{"name":"p"}`)
	_, err := newLanguageHost().Link(context.Background(), &pulumirpc.LinkRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: root},
		Packages: []*pulumirpc.LinkRequest_LinkDependency{
			{Package: &pulumirpc.PackageDependency{Name: "ghost"}, Path: filepath.Join(root, "missing")},
		},
	})
	if err == nil || !strings.Contains(err.Error(), "linking package ghost") {
		t.Fatalf("error %v, want one naming the package", err)
	}
}

func TestJSIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"docker": "docker", "my-pkg": "myPkg", "@scope/my-pkg": "scopeMyPkg", "a_b.c": "aBC", "9lives": "_9lives",
	} {
		if got := jsIdentifier(in); got != want {
			t.Errorf("jsIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}
