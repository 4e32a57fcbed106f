// Command pulumi-resource-command is a resource plugin that serves `command:local:Command`, the
// resource of @pulumi/command that this project uses, with the same inputs, outputs and rules:
// create/update/delete run through an interpreter (default `/bin/sh -c`), a change of `triggers`
// replaces the resource, other changes run `update` (or `create` when no `update` is given), and
// stdout/stderr become outputs (secret when any input is secret).
//
// The upstream provider is not served by the Go module proxy this project builds from; online
// users get the upstream plugin through `pulumi plugin install` instead of this one.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped at build time to the @pulumi/command version this plugin stands in for.
var version = "1.2.1"

const commandType = "command:local:Command"

// inputKeys are the inputs of command:local:Command, in schema order.
var inputKeys = []resource.PropertyKey{
	"addPreviousOutputInEnv", "archivePaths", "assetPaths", "create", "delete", "dir",
	"environment", "interpreter", "logging", "stdin", "triggers", "update",
}

var marshalOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func main() {
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		ctx, cancel := context.WithCancel(context.Background())
		return &commandProvider{host: host, ctx: ctx, cancel: cancel}, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host   *provider.HostClient
	ctx    context.Context // cancelled by the engine's Cancel call
	cancel context.CancelFunc
	once   sync.Once
}

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"command","version":%q}`, version)}, nil
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.once.Do(p.cancel)
	return &emptypb.Empty{}, nil
}

func checkType(urn string) error {
	if t := resource.URN(urn).Type(); string(t) != commandType {
		return fmt.Errorf("this command plugin serves %s only, not %s", commandType, t)
	}
	return nil
}

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), marshalOptions)
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(key, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: key, Reason: reason})
	}
	for _, key := range []resource.PropertyKey{"create", "update", "delete", "dir", "stdin"} {
		if v, ok := news[key]; ok && !v.IsNull() && !v.IsComputed() && !v.IsString() && !isSecretString(v) {
			fail(string(key), "must be a string")
		}
	}
	if v, ok := news["logging"]; ok && v.IsString() {
		switch v.StringValue() {
		case "stdout", "stderr", "stdoutAndStderr", "none":
		default:
			fail("logging", "must be one of stdout, stderr, stdoutAndStderr, none")
		}
	}
	for _, key := range []resource.PropertyKey{"assetPaths", "archivePaths"} {
		if v, ok := news[key]; ok && !v.IsNull() {
			fail(string(key), "is not supported by this build of the command plugin")
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func isSecretString(v resource.PropertyValue) bool {
	return v.IsSecret() && v.SecretValue().Element.IsString()
}

// inputsOf keeps only the inputs of a state or input map.
func inputsOf(props resource.PropertyMap) resource.PropertyMap {
	inputs := resource.PropertyMap{}
	for _, k := range inputKeys {
		if v, ok := props[k]; ok && !v.IsNull() {
			inputs[k] = v
		}
	}
	return inputs
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := plugin.UnmarshalProperties(req.GetOlds(), marshalOptions)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), marshalOptions)
	if err != nil {
		return nil, err
	}
	oldInputs, newInputs := inputsOf(olds), inputsOf(news)
	var diffs, replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range inputKeys {
		o, hasOld := oldInputs[k]
		n, hasNew := newInputs[k]
		if hasOld == hasNew && (!hasOld || (!n.ContainsUnknowns() && o.DeepEquals(n))) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hasOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if k == "triggers" {
			replaces = append(replaces, string(k))
			kind = map[pulumirpc.PropertyDiff_Kind]pulumirpc.PropertyDiff_Kind{
				pulumirpc.PropertyDiff_ADD:    pulumirpc.PropertyDiff_ADD_REPLACE,
				pulumirpc.PropertyDiff_DELETE: pulumirpc.PropertyDiff_DELETE_REPLACE,
				pulumirpc.PropertyDiff_UPDATE: pulumirpc.PropertyDiff_UPDATE_REPLACE,
			}[kind]
		}
		diffs = append(diffs, string(k))
		detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{
		Changes: changes, Diffs: diffs, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	inputs, err := plugin.UnmarshalProperties(req.GetProperties(), marshalOptions)
	if err != nil {
		return nil, err
	}
	id, err := newID(resource.URN(req.GetUrn()).Name())
	if err != nil {
		return nil, err
	}
	state, err := p.apply(ctx, req.GetUrn(), "create", inputs, nil, req.GetPreview(), req.GetTimeout())
	if err != nil {
		return nil, err
	}
	props, err := plugin.MarshalProperties(state, marshalOptions)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := plugin.UnmarshalProperties(req.GetOlds(), marshalOptions)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), marshalOptions)
	if err != nil {
		return nil, err
	}
	which := "create"
	if v, ok := news["update"]; ok && !v.IsNull() {
		which = "update"
	}
	state, err := p.apply(ctx, req.GetUrn(), which, news, olds, req.GetPreview(), req.GetTimeout())
	if err != nil {
		return nil, err
	}
	props, err := plugin.MarshalProperties(state, marshalOptions)
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	olds, err := plugin.UnmarshalProperties(req.GetProperties(), marshalOptions)
	if err != nil {
		return nil, err
	}
	if v, ok := olds["delete"]; ok && !v.IsNull() {
		if _, err := p.run(ctx, req.GetUrn(), "delete", olds, olds, req.GetTimeout()); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	// A command has nothing to read back: its state is what it printed when it ran.
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// apply runs the chosen command (unless previewing) and returns the new state: the inputs plus
// stdout and stderr. In a preview the outputs are unknown, as they will be after the real run.
func (p *commandProvider) apply(
	ctx context.Context, urn, which string, inputs, olds resource.PropertyMap, preview bool, timeout float64,
) (resource.PropertyMap, error) {
	state := inputsOf(inputs)
	secret := inputs.ContainsSecrets()
	set := func(key resource.PropertyKey, v resource.PropertyValue) {
		if secret && !v.IsComputed() {
			v = resource.MakeSecret(v)
		}
		state[key] = v
	}
	if preview {
		set("stdout", resource.MakeComputed(resource.NewStringProperty("")))
		set("stderr", resource.MakeComputed(resource.NewStringProperty("")))
		return state, nil
	}
	out := result{}
	if v, ok := inputs[resource.PropertyKey(which)]; ok && !v.IsNull() {
		var err error
		if out, err = p.run(ctx, urn, which, inputs, olds, timeout); err != nil {
			return nil, err
		}
	} else if olds != nil {
		out = previousResult(olds)
	}
	set("stdout", resource.NewStringProperty(out.stdout))
	set("stderr", resource.NewStringProperty(out.stderr))
	return state, nil
}

type result struct{ stdout, stderr string }

func previousResult(state resource.PropertyMap) result {
	return result{stdout: plainString(state["stdout"]), stderr: plainString(state["stderr"])}
}

// plainString reads a string property, looking through a secret wrapper.
func plainString(v resource.PropertyValue) string {
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// run executes inputs[which] and fails with the command's combined output when it exits non-zero.
func (p *commandProvider) run(
	ctx context.Context, urn, which string, inputs, previous resource.PropertyMap, timeout float64,
) (result, error) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-p.ctx.Done():
			stop()
		case <-ctx.Done():
		}
	}()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeout*float64(time.Second)))
		defer cancel()
	}

	script := plainString(inputs[resource.PropertyKey(which)])
	argv := []string{"/bin/sh", "-c"}
	if v, ok := inputs["interpreter"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 {
		argv = argv[:0]
		for _, e := range v.ArrayValue() {
			argv = append(argv, plainString(e))
		}
	}
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], script)...)
	cmd.WaitDelay = 5 * time.Second
	if dir := plainString(inputs["dir"]); dir != "" {
		cmd.Dir = dir
	}
	cmd.Env = os.Environ()
	if v, ok := inputs["environment"]; ok {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsObject() {
			names := v.ObjectValue().StableKeys()
			for _, k := range names {
				cmd.Env = append(cmd.Env, string(k)+"="+plainString(v.ObjectValue()[k]))
			}
		}
	}
	addPrevious := true
	if v, ok := inputs["addPreviousOutputInEnv"]; ok && v.IsBool() {
		addPrevious = v.BoolValue()
	}
	if addPrevious && previous != nil {
		prev := previousResult(previous)
		if prev.stdout != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+prev.stdout)
		}
		if prev.stderr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+prev.stderr)
		}
	}
	if stdin := plainString(inputs["stdin"]); stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}

	logging := plainString(inputs["logging"])
	if logging == "" {
		logging = "stdoutAndStderr"
	}
	var stdout, stderr, combined bytes.Buffer
	var mu sync.Mutex
	logger := &lineLogger{p: p, ctx: ctx, urn: resource.URN(urn)}
	cmd.Stdout = writers(&mu, &stdout, &combined, logger, logging == "stdout" || logging == "stdoutAndStderr")
	cmd.Stderr = writers(&mu, &stderr, &combined, logger, logging == "stderr" || logging == "stdoutAndStderr")

	err := cmd.Run()
	logger.flush()
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("timed out after %gs", timeout)
		}
		return result{}, fmt.Errorf("%s command failed: %w\n%s", which, err, strings.TrimRight(combined.String(), "\n"))
	}
	return result{
		stdout: strings.TrimSuffix(stdout.String(), "\n"),
		stderr: strings.TrimSuffix(stderr.String(), "\n"),
	}, nil
}

// writers sends one stream of the command to its own buffer, the combined buffer used for error
// messages, and (when logging asks for it) the engine's log, line by line.
func writers(mu *sync.Mutex, own, combined *bytes.Buffer, logger *lineLogger, log bool) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		own.Write(b)
		combined.Write(b)
		if log {
			logger.write(b)
		}
		return len(b), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

type lineLogger struct {
	p       *commandProvider
	ctx     context.Context
	urn     resource.URN
	pending []byte
}

func (l *lineLogger) write(b []byte) {
	l.pending = append(l.pending, b...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return
		}
		l.emit(string(l.pending[:i]))
		l.pending = l.pending[i+1:]
	}
}

func (l *lineLogger) flush() {
	if len(l.pending) > 0 {
		l.emit(string(l.pending))
		l.pending = nil
	}
}

func (l *lineLogger) emit(line string) {
	if l.p.host != nil {
		_ = l.p.host.Log(context.WithoutCancel(l.ctx), diag.Info, l.urn, line)
	}
}

func newID(name string) (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return name + hex.EncodeToString(b), nil
}

// Invoke serves command:local:run: the command runs at once (previews included) and what it printed
// is returned with its inputs; nothing is kept in the state.
func (p *commandProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != "command:local:run" {
		return nil, fmt.Errorf("unknown function %s", req.GetTok())
	}
	args, err := plugin.UnmarshalProperties(req.GetArgs(), marshalOptions)
	if err != nil {
		return nil, err
	}
	out, err := p.run(ctx, "", "command", args, nil, 0)
	if err != nil {
		return nil, err
	}
	ret := args.Copy()
	ret["stdout"] = resource.NewStringProperty(out.stdout)
	ret["stderr"] = resource.NewStringProperty(out.stderr)
	props, err := plugin.MarshalProperties(ret, marshalOptions)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: props}, nil
}
