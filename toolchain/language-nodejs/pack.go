package main

// Pack (`pulumi package pack-sdk nodejs <dir>`, and the CLI's language conformance runner) turns an
// SDK folder into an npm tarball in the destination folder, as the official host of v3.248.0 does:
//
//   - A generated SDK: `npm install`, `npm run build` (generated SDKs compile with tsc into bin/),
//     package.json copied into bin/ (the build does not), then `npm pack bin --pack-destination`.
//   - The core SDK (package.json named @pulumi/pulumi, laid out differently): `yarn install
//     --frozen-lockfile` and `yarn run tsc`, its proto/ and vendor/ folders copied into bin/ (tsc
//     leaves them out), then the same `npm pack`.
//
// Each step is announced on stderr as "$ <command>", and the commands' output goes to the host's own
// stdout and stderr, which the CLI shows. The artifact is the file name `npm pack` prints.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/executable"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/fsutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// corePackage is the npm name of the core SDK, which Pack builds with yarn.
const corePackage = "@pulumi/pulumi"

// Pack builds and packs the SDK in the request's package directory.
func (h *languageHost) Pack(ctx context.Context, req *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	npm, err := executable.FindExecutable("npm")
	if err != nil {
		return nil, fmt.Errorf("find npm: %w", err)
	}
	dir := req.GetPackageDirectory()
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("read package.json: %w", err)
	}
	var manifest map[string]any
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("unmarshal package.json: %w", err)
	}
	// Wrapped writers: node may switch a file it is handed to non-blocking (see Run).
	stdout, stderr := struct{ io.Writer }{os.Stdout}, struct{ io.Writer }{os.Stderr}
	bin := filepath.Join(dir, "bin")

	// step announces and runs one command in the package directory; failed names the step in errors.
	step := func(failed string, name string, args ...string) error {
		fmt.Fprintf(stderr, "$ %s\n", strings.Join(append([]string{filepath.Base(name)}, args...), " "))
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", failed, err)
		}
		return nil
	}
	copyIntoBin := func(what string) error {
		if err := fsutil.CopyFile(filepath.Join(bin, what), filepath.Join(dir, what), nil); err != nil {
			return fmt.Errorf("copy %s: %w", what, err)
		}
		return nil
	}

	if manifest["name"] == corePackage {
		yarn, err := executable.FindExecutable("yarn")
		if err != nil {
			return nil, fmt.Errorf("find yarn: %w", err)
		}
		if err := step("yarn install", yarn, "install", "--frozen-lockfile"); err != nil {
			return nil, err
		}
		if err := step("yarn run tsc", yarn, "run", "tsc"); err != nil {
			return nil, err
		}
		for _, folder := range []string{"proto", "vendor"} {
			if err := copyIntoBin(folder); err != nil {
				return nil, err
			}
		}
	} else {
		if err := step("npm install", npm, "install"); err != nil {
			return nil, err
		}
		if err := step("npm run build", npm, "run", "build"); err != nil {
			return nil, err
		}
		if err := copyIntoBin("package.json"); err != nil {
			return nil, err
		}
	}

	fmt.Fprint(stderr, "$ npm pack\n")
	var name bytes.Buffer
	cmd := exec.CommandContext(ctx, npm, "pack", bin, "--pack-destination", req.GetDestinationDirectory())
	cmd.Stdout, cmd.Stderr = &name, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("npm pack: %w", err)
	}
	return &pulumirpc.PackResponse{
		ArtifactPath: filepath.Join(req.GetDestinationDirectory(), strings.TrimSpace(name.String())),
	}, nil
}
