package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// exitAfterUserMessage is the exit code the Node.js runtime uses when it has already printed an
	// actionable error; the engine then stops without adding its own message.
	exitAfterUserMessage = 32
	// outOfMemoryHint is appended to a failed run whose stderr shows V8 running out of heap.
	outOfMemoryHint = "Detected a possible out of memory error. Consider increasing the memory available to " +
		"the nodejs process by setting the `nodeargs` runtime option in Pulumi.yaml to " +
		"`nodeargs: --max-old-space-size=<size>` where `<size>` is the maximum memory in megabytes that " +
		"can be allocated to nodejs."
)

// Run starts the Node.js runtime on the program and waits for it to finish.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.engineAddress == "" {
		return nil, errNoEngine
	}
	info := req.GetInfo()
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	runScript, err := resolveRunScript(node, info.GetProgramDirectory())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env, err := runEnvironment(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts, err := parseRunOptions(info.GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	nodeFlags := append([]string{}, opts.nodeargs...)
	var attach func(pid int) error
	if req.GetAttachDebugger() {
		port, flags, err := debugArgs()
		if err != nil {
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
		nodeFlags = append(nodeFlags, flags...)
		attach = func(pid int) error { return h.startDebugging(ctx, pid, port, "Pulumi: Program (nodejs)") }
	}
	args := append(nodeFlags, h.runArguments(req, runScript)...)

	// The program stops on the Cancel RPC or when the request ends, with the interrupt a user's
	// Ctrl-C would give it, then a kill if it has not exited 5 s later.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	context.AfterFunc(ctx, cmdCancel)
	cmd := exec.CommandContext(cmdCtx, node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	// A wrapped writer, not os.Stdout itself: node may switch a file it is handed to non-blocking.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	sniffer := newOOMSniffer()
	cmd.Stderr = io.MultiWriter(struct{ io.Writer }{os.Stderr}, sniffer)

	err = startAndWait(cmd, attach)
	_ = sniffer.Close()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", exitErr)}, nil
	case errors.As(err, &exitErr):
		msg := fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
		if sniffer.detected() {
			msg += ". " + outOfMemoryHint
		}
		return &pulumirpc.RunResponse{Error: msg}, nil
	default:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
}

// runArguments are the run script and its flags, in upstream's order.
func (h *languageHost) runArguments(req *pulumirpc.RunRequest, runScript string) []string {
	args := []string{runScript}
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.GetMonitorAddress())
	flagIfSet("engine", h.engineAddress)
	flagIfSet("organization", req.GetOrganization())
	flagIfSet("project", req.GetProject())
	flagIfSet("root-directory", req.GetInfo().GetRootDirectory())
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIfSet("parallel", strconv.Itoa(int(req.GetParallel())))
	flagIfSet("tracing", h.tracing)
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// resolveRunScript asks Node.js where the program's own @pulumi/pulumi keeps its run script, so
// the SDK version the program installed is the one that runs it.
func resolveRunScript(node, programDir string) (string, error) {
	return resolveSDKScript(node, programDir, "@pulumi/pulumi/cmd/run")
}

// resolveSDKScript resolves one of the SDK's scripts (cmd/run, cmd/run-plugin) from programDir.
func resolveSDKScript(node, programDir, module string) (string, error) {
	script := `try { console.log(require.resolve('` + module + `')); } catch (error) { ` +
		`if (error.code === 'MODULE_NOT_FOUND') { console.error("It looks like the Pulumi SDK has not been installed. Have you run pulumi install?") } ` +
		`else { console.error(error.message); } process.exit(1); }`
	cmd := exec.Command(node, "-e", script)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(string(exitErr.Stderr))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func runEnvironment(req *pulumirpc.RunRequest) ([]string, error) {
	// The runtime reads config keys in the "<namespace>:config:<name>" form.
	cfg := make(map[string]string, len(req.GetConfig()))
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return nil, err
		}
		cfg[key.Namespace()+":config:"+key.Name()] = v
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}
	return append(os.Environ(),
		"PULUMI_CONFIG="+string(cfgJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
	), nil
}

// oomSniffer watches the program's stderr for V8's out-of-memory report.
type oomSniffer struct {
	w     *io.PipeWriter
	done  chan struct{}
	found bool
}

func newOOMSniffer() *oomSniffer {
	r, w := io.Pipe()
	s := &oomSniffer{w: w, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			if strings.Contains(scanner.Text(), "<--- Last few GCs --->") {
				s.found = true
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return s
}

func (s *oomSniffer) Write(b []byte) (int, error) { return s.w.Write(b) }

func (s *oomSniffer) Close() error {
	err := s.w.Close()
	<-s.done
	return err
}

func (s *oomSniffer) detected() bool { return s.found }
