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

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPackagesComeFromTheNearestNodeModules(t *testing.T) {
	root := t.TempDir()
	modules := filepath.Join(root, "node_modules")
	writeFile(t, filepath.Join(modules, "@pulumi", "docker", "package.json"),
		`{"name":"@pulumi/docker","version":"5.0.0","pulumi":{"resource":true,"name":"docker","version":"5.0.0"}}`)
	writeFile(t, filepath.Join(modules, "@pulumi", "command", "package.json"),
		`{"name":"@pulumi/command","version":"1.2.1","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(modules, "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, filepath.Join(modules, "left-pad", "package.json"), `{"name":"left-pad","version":"1.0.0"}`)
	program := filepath.Join(root, "tests", "fixture")
	if err := os.MkdirAll(program, 0o755); err != nil {
		t.Fatal(err)
	}

	resp, err := (&languageHost{}).GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: program},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.GetPackages() {
		got = append(got, p.GetKind()+":"+p.GetName()+"@"+p.GetVersion())
	}
	want := "resource:command@v1.2.1,resource:docker@v5.0.0"
	if strings.Join(got, ",") != want {
		t.Errorf("packages = %v, want %s", got, want)
	}
}

func TestRunEnvironmentUsesTheRuntimesConfigKeyForm(t *testing.T) {
	env, err := runEnvironment(&pulumirpc.RunRequest{
		Config:           map[string]string{"container-links:appPort": "3000", "docker:host": "unix:///x"},
		ConfigSecretKeys: []string{"container-links:redisPassword"},
	}, runOptions{typescript: true, tsconfig: "tsconfig.json"})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var cfg map[string]string
	if err := json.Unmarshal([]byte(vars["PULUMI_CONFIG"]), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["container-links:config:appPort"] != "3000" || cfg["docker:config:host"] != "unix:///x" {
		t.Errorf("PULUMI_CONFIG = %v", cfg)
	}
	if vars["PULUMI_CONFIG_SECRET_KEYS"] != `["container-links:redisPassword"]` {
		t.Errorf("PULUMI_CONFIG_SECRET_KEYS = %s", vars["PULUMI_CONFIG_SECRET_KEYS"])
	}
	if vars["PULUMI_NODEJS_TYPESCRIPT"] != "true" || vars["PULUMI_NODEJS_TSCONFIG_PATH"] != "tsconfig.json" {
		t.Errorf("typescript options not passed: %v", vars)
	}
}

func TestRunOptions(t *testing.T) {
	opts, err := parseRunOptions(map[string]any{"typescript": false, "nodeargs": "--max-old-space-size=512 --enable-source-maps"})
	if err != nil || opts.typescript || len(opts.nodeargs) != 2 {
		t.Errorf("parseRunOptions = %+v, %v", opts, err)
	}
	if _, err := parseRunOptions(map[string]any{"typescript": "yes"}); err == nil {
		t.Error("a non-boolean typescript option was accepted")
	}
}
