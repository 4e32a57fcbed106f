package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// attachScript plays the debugger: it finds the waiting node process's inspector on the port it is
// given (retrying while node starts, as VS Code does) and lets it run.
const attachScript = `const port = process.argv[1];
(async () => {
  let targets;
  for (let i = 0; !targets; i++) {
    try {
      targets = await (await fetch("http://127.0.0.1:" + port + "/json/list")).json();
    } catch (e) {
      if (i >= 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: "Runtime.runIfWaitingForDebugger" }));
  ws.onmessage = () => ws.close();
})().catch((e) => { console.error(e); process.exit(1); });`

// debugEngine is an engine that records StartDebugging requests and attaches to the process.
type debugEngine struct {
	pulumirpc.UnimplementedEngineServer
	mu       sync.Mutex
	requests []*pulumirpc.StartDebuggingRequest
	attached chan error
}

func (e *debugEngine) StartDebugging(
	_ context.Context, req *pulumirpc.StartDebuggingRequest,
) (*emptypb.Empty, error) {
	e.mu.Lock()
	e.requests = append(e.requests, req)
	e.mu.Unlock()
	port := inspectorPort
	if p, ok := req.GetConfig().AsMap()["port"].(float64); ok {
		port = int(p)
	}
	go func() {
		out, err := exec.Command("node", "--experimental-websocket", "--no-warnings", "-e", attachScript,
			fmt.Sprint(port)).CombinedOutput()
		if err != nil {
			// Not left waiting for a debugger: the run under test ends, and the test reports this.
			if pid, ok := req.GetConfig().AsMap()["processId"].(float64); ok {
				_ = syscall.Kill(int(pid), syscall.SIGKILL)
			}
			err = fmt.Errorf("%w: %s", err, out)
		}
		e.attached <- err
	}()
	return &emptypb.Empty{}, nil
}

func startDebugEngine(t *testing.T) (*debugEngine, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	engine := &debugEngine{attached: make(chan error, 1)}
	srv := grpc.NewServer()
	pulumirpc.RegisterEngineServer(srv, engine)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return engine, lis.Addr().String()
}

// With --attach-debugger the program runs under node --inspect-brk on a free port from 9229 on, and
// the engine gets a VS Code attach configuration naming the process (and the port when not 9229).
func TestRunWaitsForTheDebuggerTheEngineIsToldAbout(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	// Hold 9229 (when free), so the host has to pick the next free port and say which.
	if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", inspectorPort)); err == nil {
		t.Cleanup(func() { _ = l.Close() })
	}
	program, record := fakeSDK(t)
	t.Setenv("EXIT_CODE", "0")
	engine, addr := startDebugEngine(t)
	h := newLanguageHost()
	h.engineAddress = addr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := h.Run(ctx, &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:2", Project: "proj", Stack: "dev", AttachDebugger: true,
		Info: &pulumirpc.ProgramInfo{
			ProgramDirectory: program, RootDirectory: program, EntryPoint: ".", Options: &structpb.Struct{},
		},
	})
	if err != nil || resp.GetError() != "" {
		t.Fatalf("run: %v, %v", resp, err)
	}
	if err := <-engine.attached; err != nil {
		t.Fatalf("attaching: %v", err)
	}
	if len(engine.requests) != 1 {
		t.Fatalf("%d StartDebugging requests, want 1", len(engine.requests))
	}
	cfg := engine.requests[0].GetConfig().AsMap()
	port, _ := cfg["port"].(float64)
	if port <= inspectorPort {
		t.Fatalf("port %v in %v, want one above 9229 (9229 is taken)", cfg["port"], cfg)
	}
	pid := cfg["processId"].(float64)
	delete(cfg, "processId")
	want := map[string]any{
		"name": "Pulumi: Program (nodejs)", "type": "node", "request": "attach", "continueOnAttach": true,
		"skipFiles": []any{"<node_internals>/**"}, "port": port,
	}
	gotJSON, _ := json.Marshal(cfg)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("config %s, want %s", gotJSON, wantJSON)
	}
	if msg := engine.requests[0].GetMessage(); msg != fmt.Sprintf("on process id %d and port %d", int(pid), int(port)) {
		t.Errorf("message %q", msg)
	}
	raw, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ ExecArgv []string }
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.ExecArgv, " ") != fmt.Sprintf("--inspect-brk=%d --inspect-publish-uid=http", int(port)) {
		t.Errorf("node flags %q", got.ExecArgv)
	}
}

// Without an engine to tell, the debugged program is stopped and the run fails as upstream's does.
func TestRunFailsWhenTheEngineCannotBeTold(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	program, _ := fakeSDK(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer() // no Engine service: StartDebugging is unimplemented
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	h := newLanguageHost()
	h.engineAddress = lis.Addr().String()
	resp, err := h.Run(context.Background(), &pulumirpc.RunRequest{
		AttachDebugger: true,
		Info:           &pulumirpc.ProgramInfo{ProgramDirectory: program, RootDirectory: program, EntryPoint: "."},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.GetError(),
		"Problem executing program (could not run language executor): unable to start debugging: ") {
		t.Errorf("response %v", resp)
	}
}

// `pulumi new` asks for the package manager when the project sets none, offering npm, pnpm, yarn
// and bun (those on PATH first), npm by default; a project that sets one is asked nothing.
func TestRuntimeOptionsPromptsAskForThePackageManager(t *testing.T) {
	tools := t.TempDir()
	writeFile(t, tools+"/yarn", "#!/bin/sh\n")
	if err := os.Chmod(tools+"/yarn", 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", tools) // only yarn is found
	ask := func(options map[string]any) []*pulumirpc.RuntimeOptionPrompt {
		opts, err := structpb.NewStruct(options)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := newLanguageHost().RuntimeOptionsPrompts(context.Background(), &pulumirpc.RuntimeOptionsRequest{
			Info: &pulumirpc.ProgramInfo{Options: opts},
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetPrompts()
	}
	prompts := ask(map[string]any{"typescript": true})
	if len(prompts) != 1 {
		t.Fatalf("prompts %v, want one", prompts)
	}
	p := prompts[0]
	if p.GetKey() != "packagemanager" || p.GetDescription() != "The package manager to use for installing dependencies" ||
		p.GetPromptType() != pulumirpc.RuntimeOptionPrompt_STRING ||
		p.GetDefault().GetStringValue() != "npm" || p.GetDefault().GetPromptType() != pulumirpc.RuntimeOptionPrompt_STRING {
		t.Errorf("prompt %v", p)
	}
	var choices []string
	for _, c := range p.GetChoices() {
		choices = append(choices, c.GetStringValue()+"="+c.GetDisplayName())
	}
	if got, want := strings.Join(choices, ","),
		"yarn=yarn,npm=npm [not found],pnpm=pnpm [not found],bun=bun [not found]"; got != want {
		t.Errorf("choices %s, want %s", got, want)
	}
	if prompts := ask(map[string]any{"packagemanager": "pnpm"}); len(prompts) != 0 {
		t.Errorf("with a package manager set: %v, want no prompt", prompts)
	}
}

// A plugin (policy pack, provider) run with a debugger to attach waits the same way, named after
// the plugin in the configuration the engine gets.
func TestRunPluginWaitsForTheDebugger(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	writeFile(t, dir+"/node_modules/@pulumi/pulumi/package.json", `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	writeFile(t, dir+"/node_modules/@pulumi/pulumi/cmd/run-plugin/index.js",
		"console.log(JSON.stringify(process.execArgv));\n")
	engine, addr := startDebugEngine(t)
	h := newLanguageHost()
	h.engineAddress = addr
	stream := &pluginStream{}
	err := h.RunPlugin(&pulumirpc.RunPluginRequest{
		Name: "my-policy", AttachDebugger: true, Kind: "analyzer",
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir, RootDirectory: dir, EntryPoint: "."},
	}, stream)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-engine.attached; err != nil {
		t.Fatalf("attaching: %v", err)
	}
	cfg := engine.requests[0].GetConfig().AsMap()
	port := inspectorPort
	if p, ok := cfg["port"].(float64); ok {
		port = int(p)
	}
	if cfg["name"] != "Pulumi: Plugin (my-policy)" || cfg["type"] != "node" || cfg["request"] != "attach" {
		t.Errorf("config %v", cfg)
	}
	want := fmt.Sprintf(`["--inspect-brk=%d","--inspect-publish-uid=http"]`+"\n", port)
	if stream.stdout.String() != want || len(stream.exitCodes) != 1 || stream.exitCodes[0] != 0 {
		t.Errorf("stdout %q (want %q), exit codes %v", stream.stdout.String(), want, stream.exitCodes)
	}
}
