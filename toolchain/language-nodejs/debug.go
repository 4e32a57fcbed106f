package main

// Debugger attach (`pulumi up|preview --attach-debugger[=program|plugins|plugin:<name>|all]`), as the
// official host does it for node: the program (or plugin) runs under `node --inspect-brk` on the
// first free port from 9229 on, so it waits on its first line, and the host hands the engine a
// VS Code launch configuration ("type": "node", "request": "attach", the process id, and the
// port when it is not 9229). The CLI emits it as a `debugging-start` event (the event log, and the
// Pulumi VS Code extension, which attaches and lets the program run: continueOnAttach).

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// inspectorPort is node's default inspector port, where the search for a free one starts.
const inspectorPort = 9229

// debugArgs are node's flags for a debugged run on the first free port from 9229 on: wait for the
// debugger on the first line, and print no "Debugger listening on ..." line.
func debugArgs() (int, []string, error) {
	for port := inspectorPort; port < 65535; port++ {
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			_ = l.Close()
			return port, []string{fmt.Sprintf("--inspect-brk=%d", port), "--inspect-publish-uid=http"}, nil
		}
	}
	return 0, nil, errors.New("failed to find available port for debugger: no open ports found")
}

// startDebugging tells the engine that the node process pid waits for a debugger on port.
func (h *languageHost) startDebugging(ctx context.Context, pid, port int, name string) error {
	if h.engineAddress == "" {
		return errNoEngine
	}
	conn, err := grpc.NewClient(h.engineAddress,
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return fmt.Errorf("language host could not make connection to engine: %w", err)
	}
	defer conn.Close()
	cfg := map[string]any{
		"name": name, "type": "node", "request": "attach", "processId": pid,
		"continueOnAttach": true, "skipFiles": []any{"<node_internals>/**"},
	}
	message := fmt.Sprintf("on process id %d", pid)
	if port != inspectorPort {
		cfg["port"] = port
		message += fmt.Sprintf(" and port %d", port)
	}
	config, err := structpb.NewStruct(cfg)
	if err != nil {
		return err
	}
	_, err = pulumirpc.NewEngineClient(conn).StartDebugging(ctx,
		&pulumirpc.StartDebuggingRequest{Config: config, Message: message})
	if err != nil {
		return fmt.Errorf("unable to start debugging: %w", err)
	}
	return nil
}

// startAndWait runs cmd; attach, when set, is called with its pid once it has started, and a
// failure there stops it.
func startAndWait(cmd *exec.Cmd, attach func(pid int) error) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if attach != nil {
		if err := attach(cmd.Process.Pid); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return err
		}
	}
	return cmd.Wait()
}
