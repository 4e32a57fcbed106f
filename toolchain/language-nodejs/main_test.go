package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"
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

func requiredPackages(t *testing.T, dir string) string {
	t.Helper()
	resp, err := newLanguageHost().GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.GetPackages() {
		got = append(got, p.GetKind()+":"+p.GetName()+"@"+p.GetVersion())
	}
	sort.Strings(got)
	return strings.Join(got, ",")
}

// Upstream walks down from the program directory: packages installed below it count, whatever
// the depth; a program without node_modules of its own declares none, even if Node.js would load
// its packages from a parent folder.
func TestRequiredPackagesAreFoundBelowTheProgram(t *testing.T) {
	root := t.TempDir()
	modules := filepath.Join(root, "node_modules")
	writeFile(t, filepath.Join(modules, "@pulumi", "docker", "package.json"),
		`{"name":"@pulumi/docker","version":"5.0.0","pulumi":{"resource":true,"name":"docker","version":"5.0.0"}}`)
	writeFile(t, filepath.Join(modules, "@pulumi", "command", "package.json"),
		`{"name":"@pulumi/command","version":"1.2.1","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(modules, "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, filepath.Join(modules, "wrapper", "node_modules", "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.0.0","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(modules, "third-party", "package.json"),
		`{"name":"third-party","version":"1.0.0","pulumi":{"resource":true}}`)
	// Outside node_modules a package.json is the program's own, not a plugin source.
	writeFile(t, filepath.Join(root, "package.json"), `{"name":"@pulumi/self","version":"1.0.0","pulumi":{"resource":true}}`)
	// A policy pack's plugins are not the program's.
	writeFile(t, filepath.Join(root, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\n")
	writeFile(t, filepath.Join(root, "policy", "node_modules", "@pulumi", "aws", "package.json"),
		`{"name":"@pulumi/aws","version":"6.0.0","pulumi":{"resource":true}}`)
	fixture := filepath.Join(root, "tests", "fixture")
	writeFile(t, filepath.Join(fixture, "Pulumi.yaml"), "name: fixture\n")

	if got, want := requiredPackages(t, root), "resource:command@v1.2.1,resource:docker@v5.0.0,resource:random@v4.0.0"; got != want {
		t.Errorf("from the root: %s, want %s", got, want)
	}
	if got := requiredPackages(t, fixture); got != "" {
		t.Errorf("from a fixture without node_modules: %s, want none", got)
	}
}

func TestRunOptions(t *testing.T) {
	opts, err := parseRunOptions(map[string]any{
		"typescript": false,
		"nodeargs":   `--max-old-space-size=512 --title "two words" --no-warnings`,
	})
	if err != nil || opts.typescript || strings.Join(opts.nodeargs, "|") != "--max-old-space-size=512|--title|two words|--no-warnings" {
		t.Errorf("parseRunOptions = %+v, %v", opts, err)
	}
	for _, bad := range []map[string]any{
		{"typescript": "yes"}, {"nodeargs": `--title "unterminated`}, {"packagemanager": "cargo"},
	} {
		if _, err := parseRunOptions(bad); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}

// fakeSDK installs a stand-in @pulumi/pulumi whose run script records its arguments and the
// runtime's environment, then exits with the code the program asks for.
func fakeSDK(t *testing.T) (program, record string) {
	t.Helper()
	program = t.TempDir()
	record = filepath.Join(program, "record.json")
	writeFile(t, filepath.Join(program, "node_modules", "@pulumi", "pulumi", "package.json"),
		`{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, filepath.Join(program, "node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js"), `
require("fs").writeFileSync(process.env.RECORD, JSON.stringify({
  argv: process.argv.slice(2), execArgv: process.execArgv, title: process.title,
  config: process.env.PULUMI_CONFIG, secrets: process.env.PULUMI_CONFIG_SECRET_KEYS,
  typescript: process.env.PULUMI_NODEJS_TYPESCRIPT || "",
}));
process.exit(Number(process.env.EXIT_CODE || 0));
`)
	t.Setenv("RECORD", record)
	return program, record
}

func runFake(t *testing.T, program string, exitCode string, options map[string]any) *pulumirpc.RunResponse {
	t.Helper()
	t.Setenv("EXIT_CODE", exitCode)
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	h := newLanguageHost()
	h.engineAddress = "127.0.0.1:1"
	resp, err := h.Run(context.Background(), &pulumirpc.RunRequest{
		MonitorAddress:   "127.0.0.1:2",
		Project:          "proj",
		Stack:            "dev",
		Config:           map[string]string{"proj:port": "3000", "docker:host": "unix:///x"},
		ConfigSecretKeys: []string{"proj:password"},
		DryRun:           true,
		Parallel:         4,
		Info: &pulumirpc.ProgramInfo{
			ProgramDirectory: program, RootDirectory: program, EntryPoint: ".", Options: opts,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestRunStartsTheProgramsOwnRunScript(t *testing.T) {
	program, record := fakeSDK(t)
	resp := runFake(t, program, "0", map[string]any{"nodeargs": `--title "a title"`})
	if resp.GetError() != "" || resp.GetBail() {
		t.Fatalf("response = %v", resp)
	}
	var got struct {
		Argv, ExecArgv                     []string
		Title, Config, Secrets, Typescript string
	}
	raw, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := "--monitor 127.0.0.1:2 --engine 127.0.0.1:1 --project proj --root-directory " + program +
		" --stack dev --pwd " + program + " --dry-run --parallel 4 ."
	if strings.Join(got.Argv, " ") != want {
		t.Errorf("arguments = %q, want %q", got.Argv, want)
	}
	if got.Title != "a title" {
		t.Errorf("nodeargs not split like a shell: title %q, execArgv %q", got.Title, got.ExecArgv)
	}
	var cfg map[string]string
	if err := json.Unmarshal([]byte(got.Config), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["proj:config:port"] != "3000" || cfg["docker:config:host"] != "unix:///x" {
		t.Errorf("PULUMI_CONFIG = %v", cfg)
	}
	if got.Secrets != `["proj:password"]` || got.Typescript != "true" {
		t.Errorf("secret keys %q, typescript %q", got.Secrets, got.Typescript)
	}
}

func TestRunReportsTheProgramsExit(t *testing.T) {
	program, _ := fakeSDK(t)
	if resp := runFake(t, program, "32", nil); !resp.GetBail() || resp.GetError() != "" {
		t.Errorf("exit 32: %v, want a bail without message", resp)
	}
	if resp := runFake(t, program, "3", nil); resp.GetError() != "Program exited with non-zero exit code: 3" {
		t.Errorf("exit 3: %v", resp)
	}
	resp := runFake(t, t.TempDir(), "0", nil)
	if !strings.Contains(resp.GetError(), "It looks like the Pulumi SDK has not been installed. Have you run pulumi install?") {
		t.Errorf("without the SDK: %v", resp)
	}
}

func npmProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "local-dep", "package.json"), `{"name":"local-dep","version":"1.2.3"}`)
	writeFile(t, filepath.Join(dir, "package.json"),
		`{"name":"program","version":"0.0.1","dependencies":{"local-dep":"file:./local-dep"}}`)
	return dir
}

type installStream struct {
	grpc.ServerStream
	mu             sync.Mutex
	stdout, stderr strings.Builder
}

func (s *installStream) Send(r *pulumirpc.InstallDependenciesResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdout.Write(r.GetStdout())
	s.stderr.Write(r.GetStderr())
	return nil
}

func (s *installStream) Context() context.Context     { return context.Background() }
func (s *installStream) SetHeader(metadata.MD) error  { return nil }
func (s *installStream) SendHeader(metadata.MD) error { return nil }
func (s *installStream) SetTrailer(metadata.MD)       {}
func (s *installStream) SendMsg(any) error            { return nil }
func (s *installStream) RecvMsg(any) error            { return nil }

// `pulumi install` and `pulumi about` go through the program's package manager.
func TestInstallDependenciesThenListThem(t *testing.T) {
	dir := npmProject(t)
	info := &pulumirpc.ProgramInfo{ProgramDirectory: dir, RootDirectory: dir, EntryPoint: "."}
	stream := &installStream{}
	if err := newLanguageHost().InstallDependencies(&pulumirpc.InstallDependenciesRequest{Info: info}, stream); err != nil {
		t.Fatalf("install: %v\n%s", err, stream.stderr.String())
	}
	if !strings.HasPrefix(stream.stdout.String(), "Installing dependencies...") ||
		!strings.Contains(stream.stdout.String(), "Finished installing dependencies") {
		t.Errorf("install output = %q", stream.stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "local-dep", "package.json")); err != nil {
		t.Errorf("the dependency was not installed: %v", err)
	}

	resp, err := newLanguageHost().GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{Info: info})
	if err != nil {
		t.Fatal(err)
	}
	var deps []string
	for _, d := range resp.GetDependencies() {
		deps = append(deps, d.GetName()+"@"+d.GetVersion())
	}
	if strings.Join(deps, ",") != "local-dep@1.2.3" {
		t.Errorf("dependencies = %v", deps)
	}

	about, err := newLanguageHost().About(context.Background(), &pulumirpc.AboutRequest{Info: info})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(about.GetVersion(), "v") || about.GetMetadata()["packagemanager"] != "npm" ||
		about.GetMetadata()["packagemanagerVersion"] == "" {
		t.Errorf("about = %v", about)
	}
}

// The host stops when the engine it was started by no longer answers its health check.
func TestHostStopsWhenTheEngineIsGone(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	engine := grpc.NewServer()
	healthpb.RegisterHealthServer(engine, health.NewServer())
	go func() { _ = engine.Serve(lis) }()

	stopped := make(chan struct{})
	var once sync.Once
	if err := watchEngine(context.Background(), lis.Addr().String(), 50*time.Millisecond,
		func() { once.Do(func() { close(stopped) }) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
		t.Fatal("stopped while the engine answered")
	case <-time.After(300 * time.Millisecond):
	}
	engine.Stop()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the host kept running after the engine was gone")
	}
}
