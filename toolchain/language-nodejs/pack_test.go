package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// tarball lists the files of a .tgz with their contents.
func tarball(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	r := tar.NewReader(gz)
	for {
		hdr, err := r.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		files[hdr.Name] = string(body)
	}
}

func keys(m map[string]string) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// quietNpm keeps npm from asking the registry about audits and funding (the packages here have
// no dependencies).
func quietNpm(t *testing.T) {
	t.Setenv("npm_config_audit", "false")
	t.Setenv("npm_config_fund", "false")
	t.Setenv("npm_config_update_notifier", "false")
}

// A generated SDK is installed, built (into bin/, by its build script), given its package.json in
// bin/, and packed from bin/ into the destination, named as npm names it.
func TestPackBuildsAndPacksAGeneratedSDK(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH")
	}
	quietNpm(t)
	sdk, dest := t.TempDir(), t.TempDir()
	manifest := `{"name":"@acme/widget","version":"1.2.3","main":"index.js","scripts":{"build":"node build.js"}}`
	writeFile(t, filepath.Join(sdk, "package.json"), manifest)
	writeFile(t, filepath.Join(sdk, "index.ts"), "export const x = 1;\n")
	// Stands in for tsc: what the build writes to bin/ is what gets packed.
	writeFile(t, filepath.Join(sdk, "build.js"), `const fs = require("fs");
fs.mkdirSync("bin", { recursive: true });
fs.writeFileSync("bin/index.js", "exports.x = 1;\n");`)

	resp, err := newLanguageHost().Pack(context.Background(), &pulumirpc.PackRequest{
		PackageDirectory: sdk, DestinationDirectory: dest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dest, "acme-widget-1.2.3.tgz"); resp.GetArtifactPath() != want {
		t.Fatalf("artifact %q, want %q", resp.GetArtifactPath(), want)
	}
	files := tarball(t, resp.GetArtifactPath())
	if got := keys(files); got != "package/index.js,package/package.json" {
		t.Errorf("tarball holds %s", got)
	}
	if files["package/package.json"] != manifest {
		t.Errorf("packed package.json %q, want the SDK's own", files["package/package.json"])
	}
	if _, err := os.Stat(filepath.Join(sdk, "package-lock.json")); err != nil {
		t.Errorf("npm install did not run in the SDK: %v", err)
	}
}

func TestPackReportsTheStepThatFailed(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH")
	}
	quietNpm(t)
	sdk := t.TempDir()
	writeFile(t, filepath.Join(sdk, "package.json"), `{"name":"nobuild","version":"0.0.1"}`)
	_, err := newLanguageHost().Pack(context.Background(), &pulumirpc.PackRequest{
		PackageDirectory: sdk, DestinationDirectory: t.TempDir(),
	})
	if err == nil || !strings.HasPrefix(err.Error(), "npm run build: exit status") {
		t.Errorf("error %v, want the failed npm run build", err)
	}
	_, err = newLanguageHost().Pack(context.Background(), &pulumirpc.PackRequest{
		PackageDirectory: t.TempDir(), DestinationDirectory: t.TempDir(),
	})
	if err == nil || !strings.HasPrefix(err.Error(), "read package.json: ") {
		t.Errorf("error %v, want the missing package.json", err)
	}
}

// The core SDK is built with yarn (install with the frozen lock file, then tsc), and its proto/ and
// vendor/ folders are copied into bin/ before npm packs bin/. A stand-in yarn records its calls.
func TestPackBuildsTheCoreSDKWithYarn(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH")
	}
	quietNpm(t)
	tools, sdk, dest := t.TempDir(), t.TempDir(), t.TempDir()
	calls := filepath.Join(tools, "calls")
	writeFile(t, filepath.Join(tools, "yarn"), `#!/bin/sh
echo "$*" >>"`+calls+`"
if [ "$*" = "run tsc" ]; then mkdir -p bin && echo 'exports.x = 1;' >bin/index.js && cp package.json bin/; fi
`)
	if err := os.Chmod(filepath.Join(tools, "yarn"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", tools+string(os.PathListSeparator)+os.Getenv("PATH"))
	writeFile(t, filepath.Join(sdk, "package.json"), `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, filepath.Join(sdk, "proto", "engine_pb.js"), "// proto\n")
	writeFile(t, filepath.Join(sdk, "vendor", "lib", "v.js"), "// vendor\n")

	resp, err := newLanguageHost().Pack(context.Background(), &pulumirpc.PackRequest{
		PackageDirectory: sdk, DestinationDirectory: dest,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(calls)
	if string(got) != "install --frozen-lockfile\nrun tsc\n" {
		t.Errorf("yarn was called with %q", got)
	}
	if want := filepath.Join(dest, "pulumi-pulumi-3.248.0.tgz"); resp.GetArtifactPath() != want {
		t.Fatalf("artifact %q, want %q", resp.GetArtifactPath(), want)
	}
	if got := keys(tarball(t, resp.GetArtifactPath())); got !=
		"package/index.js,package/package.json,package/proto/engine_pb.js,package/vendor/lib/v.js" {
		t.Errorf("tarball holds %s", got)
	}
}
