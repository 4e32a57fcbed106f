// Command pulumi-resource-command is a resource plugin that serves the local part of @pulumi/command
// 1.2.1: the resource `command:local:Command` and the function `command:local:run` (`local.run`,
// `local.runOutput`), with the same schema, state and rules as the upstream plugin (pulumi-command
// v1.2.1 on pulumi-go-provider v1.3.0's `infer`):
//
//   - Check keeps the known inputs and reports inputs of the wrong type.
//   - Diff compares the old inputs with the new ones; a change of `triggers` replaces the resource,
//     any other change updates it (the SDK also asks the engine to replace on `triggers[*]`).
//   - Create runs `create`, Update runs `update` (or `create` when there is none), Delete runs
//     `delete`; state is the inputs plus `stdout` and `stderr` (and `assets`/`archive` when asked
//     for). In a preview nothing runs and the outputs are unknown: always on create, on update when
//     an input is unknown or changed.
//   - Secrets stay where the program put them: an input that is secret is secret in state, but
//     stdout and stderr are never made secret because an input is (upstream asserts this too; use
//     `additionalSecretOutputs` for output that may contain a secret).
//   - Output lines are shown as status lines while the command runs (`logging` picks the streams).
//   - The run function runs its command on every preview and update.
//
// The upstream provider module is not served by the Go module proxy this project builds from;
// online users get the upstream plugin through `pulumi plugin install` instead of this one. The
// remote and copy resources of @pulumi/command are not served.
package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is stamped at build time to the @pulumi/command version this plugin stands in for.
var version = "1.2.1"

const (
	commandType = "command:local:Command"
	runToken    = "command:local:run"
)

var marshalOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func main() {
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newProvider(host), nil
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

func newProvider(host *provider.HostClient) *commandProvider {
	ctx, cancel := context.WithCancel(context.Background())
	return &commandProvider{host: host, ctx: ctx, cancel: cancel}
}

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	schema, err := schemaJSON(version)
	return &pulumirpc.GetSchemaResponse{Schema: schema}, err
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
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

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, marshalOptions)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalOptions)
}

func checkFailures(failures map[string]string) []*pulumirpc.CheckFailure {
	keys := make([]string, 0, len(failures))
	for k := range failures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]*pulumirpc.CheckFailure, 0, len(keys))
	for _, k := range keys {
		list = append(list, &pulumirpc.CheckFailure{Property: k, Reason: failures[k]})
	}
	return list
}

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if failures := typeFailures(news, commandFields); len(failures) > 0 {
		return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: checkFailures(failures)}, nil
	}
	inputs, err := marshal(only(news, commandFields))
	return &pulumirpc.CheckResponse{Inputs: inputs}, err
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	state, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	// An ignored property keeps the value it has in state.
	newsValue := resource.NewObjectProperty(news)
	for _, ignored := range req.GetIgnoreChanges() {
		path, err := resource.ParsePropertyPath(ignored)
		if err != nil {
			return nil, err
		}
		if v, ok := path.Get(resource.NewObjectProperty(state)); ok {
			path.Set(newsValue, v)
		}
	}
	for k := range news {
		if k == "version" || strings.HasPrefix(string(k), "__") {
			delete(news, k)
		}
	}
	oldInputs := only(state, commandFields)
	if req.GetOldInputs() != nil {
		if oldInputs, err = unmarshal(req.GetOldInputs()); err != nil {
			return nil, err
		}
	}
	return diffResponse(oldInputs.Diff(news)), nil
}

// diffResponse reports every changed path as an update, except `triggers` itself (added, removed or
// replaced as a whole), which replaces; element changes of triggers are replaced by the engine,
// because the SDK registers the resource with replaceOnChanges ["triggers[*]"].
func diffResponse(diff *resource.ObjectDiff) *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		HasDetailedDiff: true,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
	}
	if diff == nil || !diff.AnyChanges() {
		return resp
	}
	resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	diffs, replaces := map[string]bool{}, map[string]bool{}
	for path, d := range plugin.NewDetailedDiffFromObjectDiff(diff, false) {
		kind := d.Kind
		if path == "triggers" {
			kind = kind.AsReplace()
		}
		// plugin.DiffKind and the wire's PropertyDiff_Kind number the six kinds alike.
		resp.DetailedDiff[path] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_Kind(kind), InputDiff: d.InputDiff}
		head := path
		if parsed, err := resource.ParsePropertyPath(path); err == nil && len(parsed) > 0 {
			if key, ok := parsed[0].(string); ok {
				head = key
			}
		}
		diffs[head] = true
		if kind.IsReplace() {
			replaces[head] = true
		}
	}
	resp.Diffs, resp.Replaces = sortedKeys(diffs), sortedKeys(replaces)
	return resp
}

func sortedKeys(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	id, err := resource.NewUniqueHex(urn.Name(), 8, 0)
	if err != nil {
		return nil, err
	}
	state := only(inputs, commandFields)
	out := result{}
	if req.GetPreview() {
		setOutputs(state, out)
		markUnknown(state)
	} else {
		if create, ok := stringOf(inputs["create"]); ok {
			ctx, done := p.operation(ctx, req.GetTimeout())
			defer done()
			if out, err = run(ctx, create, settingsOf(inputs), out, p.hostStatus(ctx, urn)); err != nil {
				return nil, err
			}
		}
		setOutputs(state, out)
	}
	props, err := marshal(state)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	for _, ignored := range req.GetIgnoreChanges() {
		path, err := resource.ParsePropertyPath(ignored)
		if err != nil {
			return nil, err
		}
		if v, ok := path.Get(resource.NewObjectProperty(olds)); ok {
			path.Set(resource.NewObjectProperty(news), v)
		}
	}
	state := only(news, commandFields)
	out := previousResult(olds)
	if req.GetPreview() {
		setOutputs(state, out)
		if inputsChanged(olds, news) {
			markUnknown(state)
		}
	} else {
		command, ok := stringOf(news["update"])
		if !ok {
			command, ok = stringOf(news["create"])
		}
		if ok {
			ctx, done := p.operation(ctx, req.GetTimeout())
			defer done()
			urn := resource.URN(req.GetUrn())
			if out, err = run(ctx, command, settingsOf(news), out, p.hostStatus(ctx, urn)); err != nil {
				return nil, err
			}
			out = keepUnrequested(out, previousResult(olds), news)
		}
		setOutputs(state, out)
	}
	props, err := marshal(state)
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if command, ok := stringOf(state["delete"]); ok {
		ctx, done := p.operation(ctx, req.GetTimeout())
		defer done()
		urn := resource.URN(req.GetUrn())
		if _, err := run(ctx, command, settingsOf(state), previousResult(state), p.hostStatus(ctx, urn)); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	// A command has nothing to read back: its state is what it printed when it ran.
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Invoke serves command:local:run: the command runs now, in previews too, and the result is its
// inputs plus stdout and stderr (and assets/archive when asked for).
func (p *commandProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != runToken {
		return nil, fmt.Errorf("this command plugin serves the function %s only, not %s", runToken, req.GetTok())
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	if failures := typeFailures(args, runFields, "command"); len(failures) > 0 {
		return &pulumirpc.InvokeResponse{Failures: checkFailures(failures)}, nil
	}
	command, _ := stringOf(args["command"])
	ctx, done := p.operation(ctx, 0)
	defer done()
	out, err := run(ctx, command, settingsOf(args), result{}, p.hostStatus(ctx, ""))
	if err != nil {
		return nil, err
	}
	ret := only(args, runFields)
	setOutputs(ret, out)
	props, err := marshal(ret)
	return &pulumirpc.InvokeResponse{Return: props}, err
}

// operation bounds a command by the resource's custom timeout, in whole seconds as upstream's
// middleware counts it, and by the engine's Cancel.
func (p *commandProvider) operation(ctx context.Context, timeout float64) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.ctx, cancel)
	if timeout != 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeout(ctx, time.Second*time.Duration(timeout))
		return ctx, func() { cancelTimeout(); stop(); cancel() }
	}
	return ctx, func() { stop(); cancel() }
}

func setOutputs(state resource.PropertyMap, out result) {
	state["stdout"] = resource.NewStringProperty(out.stdout)
	state["stderr"] = resource.NewStringProperty(out.stderr)
	if !out.assets.IsNull() {
		state["assets"] = out.assets
	}
	if !out.archive.IsNull() {
		state["archive"] = out.archive
	}
}

// markUnknown makes the run's outputs unknown, as a preview must before the command has run.
func markUnknown(state resource.PropertyMap) {
	for _, k := range outputKeys {
		if v, ok := state[k]; ok && !v.IsNull() {
			state[k] = resource.MakeComputed(resource.NewStringProperty(""))
		}
	}
}

// inputsChanged is upstream's rule for the outputs of an update preview: unknown when an input is
// unknown, or differs from the value it had in the old state.
func inputsChanged(olds, news resource.PropertyMap) bool {
	for _, f := range commandFields {
		n := news[f.name]
		if n.ContainsUnknowns() {
			return true
		}
		if o, had := olds[f.name]; had && !o.DeepEquals(n) {
			return true
		}
	}
	return false
}

// previousResult reads a run's outputs back from state, without the secret marks the engine may
// have added (upstream decodes state into plain values as well).
func previousResult(state resource.PropertyMap) result {
	out := result{assets: resource.NewNullProperty(), archive: resource.NewNullProperty()}
	out.stdout, _ = stringOf(state["stdout"])
	out.stderr, _ = stringOf(state["stderr"])
	if v, ok := state["assets"]; ok {
		out.assets = unwrapSecret(v)
	}
	if v, ok := state["archive"]; ok {
		out.archive = unwrapSecret(v)
	}
	return out
}

// keepUnrequested keeps the previous assets and archive when this run was not asked for new ones,
// as upstream's update does (it starts from the old outputs).
func keepUnrequested(out, previous result, inputs resource.PropertyMap) result {
	s := settingsOf(inputs)
	if s.assetPaths == nil {
		out.assets = previous.assets
	}
	if s.archivePaths == nil {
		out.archive = previous.archive
	}
	return out
}
