package main

// RunPlugin runs a plugin written in Node.js: a TypeScript or JavaScript policy pack (`pulumi
// preview --policy-pack <dir>`), or a provider or converter plugin. The plugin is the package in
// the request's program directory, run by that package's own @pulumi/pulumi `cmd/run-plugin`
// script (TypeScript through ts-node, as programs are), with the runtime options of its project
// file (nodeargs, typescript, tsconfig). Its stdout and stderr stream back to the engine as they
// come (the engine reads the plugin's port from the first line of stdout), then its exit code.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RunPlugin starts the plugin and streams its output until it exits or the engine goes away.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	node, err := exec.LookPath("node")
	if err != nil {
		return errors.New("could not find node on the $PATH: " + err.Error())
	}
	script, err := resolveSDKScript(node, dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	opts, err := parseRunOptions(info.GetOptions().AsMap())
	if err != nil {
		return err
	}
	env := append(os.Environ(), req.GetEnv()...)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	args := append([]string{}, opts.nodeargs...)
	var attach func(pid int) error
	if req.GetAttachDebugger() {
		port, flags, err := debugArgs()
		if err != nil {
			return err
		}
		args = append(args, flags...)
		attach = func(pid int) error {
			return h.startDebugging(server.Context(), pid, port, fmt.Sprintf("Pulumi: Plugin (%s)", req.GetName()))
		}
	}
	args = append(args, script, "--pwd", dir, dir)
	args = append(args, req.GetArgs()...)

	// The plugin stops when the engine ends the stream (or the host is cancelled): an interrupt, then
	// a kill 5 s later.
	cmd := exec.CommandContext(server.Context(), node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = req.GetPwd()
	if cmd.Dir == "" {
		cmd.Dir = dir
	}
	cmd.Env = env
	var sendMu sync.Mutex
	send := func(msg *pulumirpc.RunPluginResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return server.Send(msg)
	}
	cmd.Stdout = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})

	err = startAndWait(cmd, attach)
	code := 0
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	default:
		return err
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// streamWriter sends each write on, as a copy (the caller reuses its buffer).
type streamWriter func([]byte) error

func (w streamWriter) Write(b []byte) (int, error) {
	if err := w(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

var _ io.Writer = streamWriter(nil)
