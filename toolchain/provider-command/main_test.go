package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blang/semver"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const testURN = "urn:pulumi:dev::proj::command:local:Command::check"

func str(s string) resource.PropertyValue { return resource.NewStringProperty(s) }

func secret(s string) resource.PropertyValue { return resource.MakeSecret(str(s)) }

func unknown() resource.PropertyValue { return resource.MakeComputed(str("")) }

func env(kv ...string) resource.PropertyValue {
	m := resource.PropertyMap{}
	for i := 0; i < len(kv); i += 2 {
		m[resource.PropertyKey(kv[i])] = str(kv[i+1])
	}
	return resource.NewObjectProperty(m)
}

func quiet(m resource.PropertyMap) resource.PropertyMap {
	m["logging"] = str("none")
	return m
}

func wire(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unwire(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := unmarshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func create(t *testing.T, inputs resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	t.Helper()
	resp, err := newProvider(nil).Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: testURN, Properties: wire(t, inputs), Preview: preview,
	})
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(resp.GetId(), "check") {
		t.Errorf("id %q does not start with the resource name", resp.GetId())
	}
	return unwire(t, resp.GetProperties()), nil
}

func update(t *testing.T, olds, news resource.PropertyMap, preview bool) resource.PropertyMap {
	t.Helper()
	resp, err := newProvider(nil).Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: testURN, Id: "check1234", Olds: wire(t, olds), News: wire(t, news), Preview: preview,
	})
	if err != nil {
		t.Fatal(err)
	}
	return unwire(t, resp.GetProperties())
}

func TestCreateRunsTheCommandWithItsEnvironment(t *testing.T) {
	state, err := create(t, quiet(resource.PropertyMap{
		"create":      str(`printf '%s\n' "$GREETING"; echo oops >&2`),
		"environment": env("GREETING", "a b;c"),
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	want := quiet(resource.PropertyMap{
		"create":      str(`printf '%s\n' "$GREETING"; echo oops >&2`),
		"environment": env("GREETING", "a b;c"),
		"stdout":      str("a b;c"),
		"stderr":      str("oops"),
	})
	if !state.DeepEquals(want) {
		t.Errorf("state = %v, want %v", state, want)
	}
}

func TestCreateWithoutACommandHasEmptyOutputs(t *testing.T) {
	state, err := create(t, resource.PropertyMap{"delete": str("true")}, false)
	if err != nil {
		t.Fatal(err)
	}
	if state["stdout"].StringValue() != "" || state["stderr"].StringValue() != "" {
		t.Errorf("state = %v, want empty stdout and stderr", state)
	}
}

func TestAFailedCommandReportsStatusCommandAndOutput(t *testing.T) {
	_, err := create(t, quiet(resource.PropertyMap{
		"create": str(`echo partial; echo "expected 3, saw 2" >&2; exit 3`),
	}), false)
	// Both streams follow, each whole; their order is the order the pipes were read in.
	head := "exit status 3: running \"echo partial; echo \\\"expected 3, saw 2\\\" >&2; exit 3\":\n"
	if err == nil || !strings.HasPrefix(err.Error(), head) {
		t.Fatalf("error = %q, want it to start with %q", err, head)
	}
	lines := strings.Split(strings.TrimPrefix(err.Error(), head), "\n")
	sort.Strings(lines)
	if strings.Join(lines, "|") != "|expected 3, saw 2|partial" {
		t.Errorf("output in the error = %q", lines)
	}
}

func TestPreviewRunsNothingAndLeavesOutputsUnknown(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	state, err := create(t, resource.PropertyMap{
		"create":      str("touch " + marker),
		"environment": unknown(),
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the create command ran during a preview")
	}
	if !state["stdout"].IsComputed() || !state["stderr"].IsComputed() {
		t.Errorf("stdout/stderr = %v / %v, want unknown", state["stdout"], state["stderr"])
	}
	if !state["environment"].IsComputed() || state["create"].StringValue() != "touch "+marker {
		t.Errorf("inputs not kept as given: %v", state)
	}
}

// Upstream 1.2.1 deliberately keeps stdout and stderr public when an input is secret: the input
// stays secret in state, and a program marks output secret with additionalSecretOutputs.
func TestSecretInputsStaySecretButDoNotMakeOutputsSecret(t *testing.T) {
	for _, preview := range []bool{false, true} {
		state, err := create(t, quiet(resource.PropertyMap{
			"create": str(`echo "$PW"`),
			"environment": resource.NewObjectProperty(resource.PropertyMap{
				"PW": secret("hunter2"),
			}),
		}), preview)
		if err != nil {
			t.Fatal(err)
		}
		if state["stdout"].ContainsSecrets() || state["stderr"].ContainsSecrets() {
			t.Errorf("preview=%v: stdout/stderr = %v / %v, want them not secret", preview, state["stdout"], state["stderr"])
		}
		if !state["environment"].ObjectValue()["PW"].IsSecret() {
			t.Errorf("preview=%v: environment.PW = %v, want it still secret", preview, state["environment"])
		}
		if !preview && state["stdout"].StringValue() != "hunter2" {
			t.Errorf("stdout = %v", state["stdout"])
		}
	}
}

func TestUpdateRunsUpdateOrCreateWithThePreviousOutput(t *testing.T) {
	olds := quiet(resource.PropertyMap{
		"create": str(`echo "created after <$PULUMI_COMMAND_STDOUT>"`),
		"stdout": str("v1"), "stderr": str("w1"),
	})
	news := quiet(resource.PropertyMap{"create": str(`echo "created after <$PULUMI_COMMAND_STDOUT|$PULUMI_COMMAND_STDERR>"`)})
	if got := update(t, olds, news, false)["stdout"].StringValue(); got != "created after <v1|w1>" {
		t.Errorf("create fallback stdout = %q", got)
	}
	news["update"] = str(`echo "updated after <$PULUMI_COMMAND_STDOUT>"`)
	if got := update(t, olds, news, false)["stdout"].StringValue(); got != "updated after <v1>" {
		t.Errorf("update stdout = %q", got)
	}
	news["addPreviousOutputInEnv"] = resource.NewBoolProperty(false)
	if got := update(t, olds, news, false)["stdout"].StringValue(); got != "updated after <>" {
		t.Errorf("stdout without the previous output = %q", got)
	}
	noCommand := update(t, olds, quiet(resource.PropertyMap{"delete": str("true")}), false)
	if noCommand["stdout"].StringValue() != "v1" {
		t.Errorf("an update with no command to run should keep the old outputs: %v", noCommand)
	}
}

func TestUpdatePreviewKnowsOutputsOnlyWhenNoInputChanged(t *testing.T) {
	olds := resource.PropertyMap{"create": str("echo 1"), "stdout": str("1"), "stderr": str("")}
	cases := []struct {
		name    string
		news    resource.PropertyMap
		unknown bool
	}{
		{"changed input", resource.PropertyMap{"create": str("echo 2")}, true},
		{"unknown input", resource.PropertyMap{"create": str("echo 1"), "dir": unknown()}, true},
		{"removed input", resource.PropertyMap{}, true},
		// Upstream compares only inputs the old state had: a newly added one keeps the old outputs.
		{"added input", resource.PropertyMap{"create": str("echo 1"), "dir": str("/")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			state := update(t, olds, c.news, true)
			if state["stdout"].IsComputed() != c.unknown {
				t.Errorf("stdout = %v, want unknown=%v", state["stdout"], c.unknown)
			}
		})
	}
}

func TestDeleteRunsWithTheLastOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "deleted")
	state := quiet(resource.PropertyMap{
		"create": str("echo x"),
		"delete": str(`printf '%s' "$PULUMI_COMMAND_STDOUT" > ` + out),
		"stdout": str("last"), "stderr": str(""),
	})
	if _, err := newProvider(nil).Delete(context.Background(), &pulumirpc.DeleteRequest{
		Urn: testURN, Id: "check1234", Properties: wire(t, state),
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != "last" {
		t.Errorf("delete saw PULUMI_COMMAND_STDOUT=%q", got)
	}
}

// A command that leaves a child holding stdout is waited for until the child closes it, as
// upstream does (it is part of the command's output).
func TestBackgroundChildrenHoldingOutputAreWaitedFor(t *testing.T) {
	state, err := create(t, quiet(resource.PropertyMap{
		"create": str(`echo now; (sleep 6; echo later) &`),
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := state["stdout"].StringValue(); got != "now\nlater" {
		t.Errorf("stdout = %q, want the child's output too", got)
	}
}

func TestATimeoutKillsTheWholeProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	req := &pulumirpc.CreateRequest{Urn: testURN, Timeout: 1, Properties: wire(t, quiet(resource.PropertyMap{
		"create": str(`sleep 60 > /dev/null & echo $! > ` + pidFile + `; wait`),
	}))}
	start := time.Now()
	_, err := newProvider(nil).Create(context.Background(), req)
	if err == nil || !strings.HasPrefix(err.Error(), "signal: killed: running") {
		t.Fatalf("error = %v, want the killed interpreter", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("took %v", elapsed)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the background child %d outlived the timeout", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A child that left the process group cannot be killed with it; once the timeout is reached its
// hold on the output pipes is bounded by killGrace.
func TestATimeoutIsBoundedWhenAChildLeftTheGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "escaped.pid")
	t.Cleanup(func() {
		if raw, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	req := &pulumirpc.CreateRequest{Urn: testURN, Timeout: 1, Properties: wire(t, quiet(resource.PropertyMap{
		"create": str(`setsid sleep 60 & echo $! > ` + pidFile),
	}))}
	start := time.Now()
	_, err := newProvider(nil).Create(context.Background(), req)
	if err == nil || !strings.HasPrefix(err.Error(), "context deadline exceeded: running") {
		t.Fatalf("error = %v, want the deadline", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second+killGrace+3*time.Second {
		t.Errorf("took %v", elapsed)
	}
}

func TestOutputLinesAreStatusLinesOfTheChosenStreams(t *testing.T) {
	cases := map[string][]string{
		"":                {"o1", "e1", "o2"},
		"stdoutAndStderr": {"o1", "e1", "o2"},
		"stdout":          {"o1", "o2"},
		"stderr":          {"e1"},
		"none":            nil,
		"loud":            nil,
	}
	for logging, want := range cases {
		t.Run(logging, func(t *testing.T) {
			props := resource.PropertyMap{}
			if logging != "" {
				props["logging"] = str(logging)
			}
			var mu sync.Mutex
			var lines []string
			log := func(line string) { mu.Lock(); lines = append(lines, line); mu.Unlock() }
			_, err := run(context.Background(), `echo o1; sleep 0.2; echo e1 >&2; sleep 0.2; printf o2`,
				settingsOf(props), result{}, log)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(lines, ",") != strings.Join(want, ",") {
				t.Errorf("logged %q, want %q", lines, want)
			}
		})
	}
}

func TestInterpreterDirAndStdin(t *testing.T) {
	dir := t.TempDir()
	state, err := create(t, quiet(resource.PropertyMap{
		"create":      str(`import os, sys; print(os.getcwd(), sys.stdin.read())`),
		"interpreter": resource.NewArrayProperty([]resource.PropertyValue{str("python3"), str("-c")}),
		"dir":         str(dir),
		"stdin":       str("fed"),
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := state["stdout"].StringValue(); got != dir+" fed" {
		t.Errorf("stdout = %q", got)
	}
}

func TestAssetAndArchivePaths(t *testing.T) {
	dir := t.TempDir()
	state, err := create(t, quiet(resource.PropertyMap{
		"create":       str(`mkdir -p src/lib && touch a.txt src/x.js src/lib/y.js src/secret.js`),
		"dir":          str(dir),
		"assetPaths":   resource.NewArrayProperty([]resource.PropertyValue{str("src/**.js"), str("!**secret.*"), str("*.txt")}),
		"archivePaths": resource.NewArrayProperty([]resource.PropertyValue{str("src/*.js")}),
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for k, v := range state["assets"].ObjectValue() {
		if !v.IsAsset() || v.AssetValue().Path != filepath.Join(dir, string(k)) {
			t.Errorf("asset %s = %v", k, v)
		}
		got = append(got, string(k))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "a.txt,src/lib/y.js,src/x.js" {
		t.Errorf("assets = %v", got)
	}
	archive := state["archive"]
	if !archive.IsArchive() || len(archive.ArchiveValue().Assets) != 2 {
		t.Errorf("archive = %v, want src/x.js and src/secret.js", archive)
	}
}

func TestCheckKeepsKnownInputsAndReportsWrongTypes(t *testing.T) {
	p := newProvider(nil)
	resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: wire(t, resource.PropertyMap{
		"create":     str("true"),
		"logging":    str("loud"),
		"__defaults": resource.NewArrayProperty(nil),
		"extra":      str("dropped"),
	})})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) != 0 {
		t.Errorf("failures = %v", resp.GetFailures())
	}
	if got := unwire(t, resp.GetInputs()); !got.DeepEquals(resource.PropertyMap{"create": str("true"), "logging": str("loud")}) {
		t.Errorf("inputs = %v", got)
	}

	resp, err = p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: wire(t, resource.PropertyMap{
		"create":      resource.NewNumberProperty(1),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"A": resource.NewBoolProperty(true)}),
		"triggers":    resource.NewArrayProperty([]resource.PropertyValue{resource.NewNumberProperty(1)}),
	})})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.GetFailures() {
		failed = append(failed, f.GetProperty())
	}
	if strings.Join(failed, ",") != "create,environment" {
		t.Errorf("failures on %v, want create and environment", failed)
	}
	if _, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: "urn:pulumi:dev::proj::command:remote:Command::x", News: wire(t, resource.PropertyMap{}),
	}); err == nil {
		t.Error("a command:remote:Command was accepted")
	}
}

func TestRunFunction(t *testing.T) {
	p := newProvider(nil)
	marker := filepath.Join(t.TempDir(), "ran")
	resp, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: runToken, Args: wire(t, resource.PropertyMap{
		"command":     str(`echo "Hello, $WHO!"; touch ` + marker),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"WHO": secret("World")}),
		"logging":     str("none"),
	})})
	if err != nil {
		t.Fatal(err)
	}
	ret := unwire(t, resp.GetReturn())
	if ret["stdout"].StringValue() != "Hello, World!" || ret["stderr"].StringValue() != "" {
		t.Errorf("return = %v", ret)
	}
	if !ret["environment"].ObjectValue()["WHO"].IsSecret() || ret["stdout"].IsSecret() {
		t.Errorf("secrets: %v", ret)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the command did not run")
	}

	resp, err = p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: runToken, Args: wire(t, resource.PropertyMap{})})
	if err != nil || len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "command" {
		t.Errorf("missing command: %v, %v", resp, err)
	}
	_, err = p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: runToken, Args: wire(t, resource.PropertyMap{
		"command": str("exit 4"),
	})})
	if err == nil || !strings.HasPrefix(err.Error(), "exit status 4: running \"exit 4\"") {
		t.Errorf("error = %v", err)
	}
	if _, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "command:remote:run"}); err == nil {
		t.Error("an unknown function was served")
	}
}

func TestDiff(t *testing.T) {
	triggers := func(vs ...string) resource.PropertyValue {
		var list []resource.PropertyValue
		for _, v := range vs {
			list = append(list, str(v))
		}
		return resource.NewArrayProperty(list)
	}
	olds := resource.PropertyMap{
		"create": str("echo 1"), "environment": env("A", "1"), "triggers": triggers("id-1"),
		"stdout": str("1"), "stderr": str(""),
	}
	cases := []struct {
		name     string
		news     resource.PropertyMap
		ignore   []string
		detailed string // path:KIND, sorted
		replaces string
	}{
		{"same inputs, outputs ignored", resource.PropertyMap{
			"create": str("echo 1"), "environment": env("A", "1"), "triggers": triggers("id-1"),
		}, nil, "", ""},
		{"changed create updates", resource.PropertyMap{
			"create": str("echo 2"), "environment": env("A", "1"), "triggers": triggers("id-1"),
		}, nil, "create:UPDATE", ""},
		{"an environment key is diffed by path", resource.PropertyMap{
			"create": str("echo 1"), "environment": env("A", "2", "B", "3"), "triggers": triggers("id-1"),
		}, nil, "environment.A:UPDATE,environment.B:ADD", ""},
		{"a changed trigger is an element update (the SDK's replaceOnChanges replaces)", resource.PropertyMap{
			"create": str("echo 1"), "environment": env("A", "1"), "triggers": triggers("id-2"),
		}, nil, "triggers[0]:UPDATE", ""},
		{"removed triggers replace", resource.PropertyMap{
			"create": str("echo 1"), "environment": env("A", "1"),
		}, nil, "triggers:DELETE_REPLACE", "triggers"},
		{"an unknown input is a change", resource.PropertyMap{
			"create": unknown(), "environment": env("A", "1"), "triggers": triggers("id-1"),
		}, nil, "create:UPDATE", ""},
		{"ignoreChanges keeps the state's value", resource.PropertyMap{
			"create": str("echo 2"), "environment": env("A", "1"), "triggers": triggers("id-1"),
		}, []string{"create"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := newProvider(nil).Diff(context.Background(), &pulumirpc.DiffRequest{
				Urn: testURN, Olds: wire(t, olds), News: wire(t, c.news), IgnoreChanges: c.ignore,
			})
			if err != nil {
				t.Fatal(err)
			}
			var detailed []string
			for path, d := range resp.GetDetailedDiff() {
				detailed = append(detailed, path+":"+d.GetKind().String())
			}
			sort.Strings(detailed)
			if got := strings.Join(detailed, ","); got != c.detailed {
				t.Errorf("detailed diff = %s, want %s", got, c.detailed)
			}
			if got := strings.Join(resp.GetReplaces(), ","); got != c.replaces {
				t.Errorf("replaces = %s, want %s", got, c.replaces)
			}
			wantChanges := pulumirpc.DiffResponse_DIFF_NONE
			if c.detailed != "" {
				wantChanges = pulumirpc.DiffResponse_DIFF_SOME
			}
			if resp.GetChanges() != wantChanges || !resp.GetHasDetailedDiff() {
				t.Errorf("changes = %v (detailed %v)", resp.GetChanges(), resp.GetHasDetailedDiff())
			}
		})
	}
}

func TestSchemaNamesWhatThePluginServes(t *testing.T) {
	spec := packageSpec("1.2.1")
	if _, diags, err := pschema.BindSpec(spec, noPackages{}, pschema.ValidationOptions{}); err != nil || diags.HasErrors() {
		t.Fatalf("the schema does not bind: %v %v", err, diags)
	}
	if _, ok := spec.Resources[commandType]; !ok {
		t.Error("no command:local:Command")
	}
	if _, ok := spec.Functions[runToken]; !ok {
		t.Error("no command:local:run")
	}
	if !spec.Resources[commandType].InputProperties["triggers"].ReplaceOnChanges {
		t.Error("triggers do not replace")
	}
	keys := map[string]bool{}
	for k := range spec.Resources[commandType].InputProperties {
		keys[k] = true
	}
	for _, f := range commandFields {
		if !keys[string(f.name)] {
			t.Errorf("input %s is served but not in the schema", f.name)
		}
		delete(keys, string(f.name))
	}
	if len(keys) > 0 {
		t.Errorf("schema inputs the plugin ignores: %v", keys)
	}
}

// noPackages is a schema loader for a schema that references no other package.
type noPackages struct{}

func (noPackages) LoadPackage(name string, _ *semver.Version) (*pschema.Package, error) {
	return nil, fmt.Errorf("unexpected reference to package %s", name)
}

func (noPackages) LoadPackageV2(_ context.Context, d *pschema.PackageDescriptor) (*pschema.Package, error) {
	return nil, fmt.Errorf("unexpected reference to package %s", d.Name)
}
