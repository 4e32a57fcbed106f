package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"
)

type pluginStream struct {
	grpc.ServerStream
	mu             sync.Mutex
	stdout, stderr strings.Builder
	exitCodes      []int32
}

func (s *pluginStream) Send(r *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch out := r.GetOutput().(type) {
	case *pulumirpc.RunPluginResponse_Stdout:
		s.stdout.Write(out.Stdout)
	case *pulumirpc.RunPluginResponse_Stderr:
		s.stderr.Write(out.Stderr)
	case *pulumirpc.RunPluginResponse_Exitcode:
		s.exitCodes = append(s.exitCodes, out.Exitcode)
	}
	return nil
}

func (s *pluginStream) Context() context.Context     { return context.Background() }
func (s *pluginStream) SetHeader(metadata.MD) error  { return nil }
func (s *pluginStream) SendHeader(metadata.MD) error { return nil }
func (s *pluginStream) SetTrailer(metadata.MD)       {}
func (s *pluginStream) SendMsg(any) error            { return nil }
func (s *pluginStream) RecvMsg(any) error            { return nil }

// A plugin runs through its own SDK's cmd/run-plugin (a stand-in here that reports what it was
// given), in the engine's working directory, with the engine's environment and the runtime
// options; its output streams back, then its exit code.
func TestRunPluginStreamsOutputAndExitCode(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "package.json"),
		`{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js"), `
console.log(JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(),
  env: process.env.FROM_ENGINE, ts: process.env.PULUMI_NODEJS_TYPESCRIPT }));
console.error("to stderr");
process.exit(3);
`)
	pwd := t.TempDir()
	opts, _ := structpb.NewStruct(map[string]any{"typescript": true})
	stream := &pluginStream{}
	err := newLanguageHost().RunPlugin(&pulumirpc.RunPluginRequest{
		Pwd:  pwd,
		Args: []string{"127.0.0.1:12345"},
		Env:  []string{"FROM_ENGINE=yes"},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir, RootDirectory: dir, EntryPoint: ".", Options: opts},
		Kind: "analyzer",
	}, stream)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"args":["--pwd","` + dir + `","` + dir + `","127.0.0.1:12345"],"cwd":"` + pwd + `","env":"yes","ts":"true"}` + "\n"
	if stream.stdout.String() != want {
		t.Errorf("stdout %q, want %q", stream.stdout.String(), want)
	}
	if stream.stderr.String() != "to stderr\n" {
		t.Errorf("stderr %q", stream.stderr.String())
	}
	if len(stream.exitCodes) != 1 || stream.exitCodes[0] != 3 {
		t.Errorf("exit codes %v, want [3]", stream.exitCodes)
	}
}

// Without the SDK installed the plugin cannot start, and the error says what to do.
func TestRunPluginWithoutSDK(t *testing.T) {
	err := newLanguageHost().RunPlugin(&pulumirpc.RunPluginRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: t.TempDir()},
	}, &pluginStream{})
	if err == nil || !strings.Contains(err.Error(), "Pulumi SDK has not been installed") {
		t.Fatalf("error %v, want the SDK's absence named", err)
	}
}
