// Command pulumi-language-nodejs is a Node.js language host for the Pulumi CLI, standing in for the
// official one of the same version where the Go module proxy does not serve it.
//
// It serves what a Pulumi TypeScript or JavaScript program and the CLI's everyday commands need,
// the way the official host of v3.248.0 does:
//
//   - Run starts the program's own @pulumi/pulumi run script with the engine's monitor address,
//     project, stack and config, and the runtime options of Pulumi.yaml (typescript, tsconfig,
//     nodeargs split like a shell does, packagemanager).
//
//   - GetRequiredPackages walks down from the program directory and lists the resource plugins that
//     the package.json files inside node_modules folders declare.
//
//   - GetProgramDependencies (`pulumi about`) and InstallDependencies (`pulumi install`) go through
//     the package manager the program uses (npm, yarn, pnpm or bun), with the SDK's own helpers.
//
//   - About reports node and the package manager.
//
//   - The host checks the engine's health (as upstream, every 5 minutes) and exits when the engine
//     is gone, so a killed CLI leaves no host behind.
//
//   - GenerateProgram, GenerateProject and GeneratePackage (`pulumi import`, `pulumi convert`,
//     `pulumi package gen-sdk`) with pulumi/pkg's Node.js code generator, and Link (codegen.go).
//
//   - --tracing: the host's RPCs are spans of the CLI's trace, and the run script gets the endpoint.
//
//   - RunPlugin: policy packs and plugins written in Node.js (plugin.go).
//
//   - Pack (`pulumi package pack-sdk nodejs`): an SDK built and packed by npm (pack.go).
//
//   - RuntimeOptionsPrompts: `pulumi new` asks for the package manager when none is set.
//
//   - --attach-debugger: the program or plugin waits under node's inspector, and the engine gets a
//     VS Code attach configuration (debug.go).
//
// Where upstream proxies the resource monitor and opens files for synchronous invokes, this host
// passes the monitor address through: the SDK of this version makes no synchronous invokes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// healthInterval is how often the host asks the engine whether it is still there (upstream's).
const healthInterval = 5 * time.Minute

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	runtimeName := flag.String("runtime", "nodejs", "runtime; only nodejs is supported")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	if *runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime: %s (this host runs nodejs only)", *runtimeName))
	}
	// The CLI passes its tracing endpoint (for --tracing=file:..., a collector of its own): the host's
	// RPCs become spans of the CLI's trace, and the program's run script gets the endpoint too.
	cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", *tracing)

	// The host stops on an interrupt, and when the engine that started it stops answering.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelServer := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancelServer)
	}()

	host := newLanguageHost()
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
		if err := watchEngine(ctx, host.engineAddress, healthInterval, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}
	host.stopHost = stop
	host.tracing = *tracing

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelServer,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	err = <-handle.Done
	// Spans are sent (or, for a file, written) as the host stops.
	cmdutil.CloseTracing()
	if err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string             // the CLI's tracing endpoint, passed on to the run script
	stopHost      context.CancelFunc // stops the host (health check failed)
	cancelCtx     context.Context    // cancelled by the Cancel RPC: stops a running program
	cancel        context.CancelFunc
}

func newLanguageHost() *languageHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &languageHost{cancelCtx: ctx, cancel: cancel, stopHost: func() {}}
}

// Handshake is how an engine that started the host without arguments (or attached to it) gives its
// address; the host then checks the engine's health as it does when started with it.
func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	if err := watchEngine(context.Background(), h.engineAddress, healthInterval, h.stopHost); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// RuntimeOptionsPrompts is what `pulumi new` asks about the runtime: as upstream, which package
// manager to use when the project sets none (npm, pnpm, yarn or bun, the ones found on PATH first,
// the others marked "[not found]"; npm by default, which `pulumi new --yes` takes).
func (h *languageHost) RuntimeOptionsPrompts(
	_ context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	if _, set := req.GetInfo().GetOptions().AsMap()["packagemanager"]; set {
		return &pulumirpc.RuntimeOptionsResponse{}, nil
	}
	return &pulumirpc.RuntimeOptionsResponse{Prompts: []*pulumirpc.RuntimeOptionPrompt{{
		Key:         "packagemanager",
		Description: "The package manager to use for installing dependencies",
		PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
		Choices:     plugin.MakeExecutablePromptChoices("npm", "pnpm", "yarn", "bun"),
		Default: &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
			PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
			StringValue: "npm",
		},
	}}}, nil
}

func (h *languageHost) Template(context.Context, *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return &pulumirpc.TemplateResponse{}, nil
}

// watchEngine calls stop once the engine at addr fails a health check, asked every interval.
func watchEngine(ctx context.Context, addr string, interval time.Duration, stop context.CancelFunc) error {
	return rpcutil.Healthcheck(ctx, addr, interval, stop)
}

var errNoEngine = errors.New("when debugging or running explicitly, must call Handshake before Run")
