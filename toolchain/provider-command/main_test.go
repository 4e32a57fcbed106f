package main

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const testURN = "urn:pulumi:dev::proj::command:local:Command::check"

func props(t *testing.T, m resource.PropertyMap) *pulumirpc.CreateRequest {
	t.Helper()
	s, err := plugin.MarshalProperties(m, marshalOptions)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.CreateRequest{Urn: testURN, Properties: s}
}

func newTestProvider() *commandProvider {
	ctx, cancel := context.WithCancel(context.Background())
	return &commandProvider{ctx: ctx, cancel: cancel}
}

func outputs(t *testing.T, resp *pulumirpc.CreateResponse) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(resp.GetProperties(), marshalOptions)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCreateRunsTheCommandWithItsEnvironment(t *testing.T) {
	p := newTestProvider()
	resp, err := p.Create(context.Background(), props(t, resource.PropertyMap{
		"create":      resource.NewStringProperty(`printf '%s' "$GREETING"; echo oops >&2`),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"GREETING": resource.NewStringProperty("a b;c")}),
		"logging":     resource.NewStringProperty("none"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	out := outputs(t, resp)
	if got := out["stdout"].StringValue(); got != "a b;c" {
		t.Errorf("stdout = %q, want %q", got, "a b;c")
	}
	if got := out["stderr"].StringValue(); got != "oops" {
		t.Errorf("stderr = %q, want %q", got, "oops")
	}
	if !strings.HasPrefix(resp.GetId(), "check") {
		t.Errorf("id %q does not start with the resource name", resp.GetId())
	}
}

func TestCreateFailsWithTheCommandOutput(t *testing.T) {
	p := newTestProvider()
	_, err := p.Create(context.Background(), props(t, resource.PropertyMap{
		"create":  resource.NewStringProperty(`echo "expected 3, saw 2" >&2; exit 3`),
		"logging": resource.NewStringProperty("none"),
	}))
	if err == nil || !strings.Contains(err.Error(), "expected 3, saw 2") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("error = %v, want the exit status and the command's output", err)
	}
}

func TestPreviewLeavesOutputsUnknownAndRunsNothing(t *testing.T) {
	p := newTestProvider()
	req := props(t, resource.PropertyMap{"create": resource.NewStringProperty("exit 1")})
	req.Preview = true
	resp, err := p.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if out := outputs(t, resp); !out["stdout"].IsComputed() {
		t.Errorf("stdout in preview = %v, want unknown", out["stdout"])
	}
}

func TestSecretInputsMakeOutputsSecret(t *testing.T) {
	p := newTestProvider()
	resp, err := p.Create(context.Background(), props(t, resource.PropertyMap{
		"create": resource.NewStringProperty(`echo "$PW"`),
		"environment": resource.NewObjectProperty(resource.PropertyMap{
			"PW": resource.MakeSecret(resource.NewStringProperty("hunter2")),
		}),
		"logging": resource.NewStringProperty("none"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	out := outputs(t, resp)
	if !out["stdout"].IsSecret() || !out["stderr"].IsSecret() {
		t.Errorf("stdout/stderr = %v / %v, want secrets", out["stdout"], out["stderr"])
	}
}

func TestTimeoutStopsTheCommand(t *testing.T) {
	p := newTestProvider()
	req := props(t, resource.PropertyMap{"create": resource.NewStringProperty("sleep 30"), "logging": resource.NewStringProperty("none")})
	req.Timeout = 0.5
	_, err := p.Create(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("error = %v, want a timeout", err)
	}
}

func diff(t *testing.T, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	t.Helper()
	o, err := plugin.MarshalProperties(olds, marshalOptions)
	if err != nil {
		t.Fatal(err)
	}
	n, err := plugin.MarshalProperties(news, marshalOptions)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newTestProvider().Diff(context.Background(), &pulumirpc.DiffRequest{Urn: testURN, Olds: o, News: n})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestDiff(t *testing.T) {
	base := resource.PropertyMap{
		"create":   resource.NewStringProperty("echo 1"),
		"triggers": resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("id-1")}),
	}
	withState := base.Copy()
	withState["stdout"] = resource.NewStringProperty("1")

	cases := []struct {
		name     string
		news     resource.PropertyMap
		changes  pulumirpc.DiffResponse_DiffChanges
		replaces []string
	}{
		{"same inputs, outputs ignored", base, pulumirpc.DiffResponse_DIFF_NONE, nil},
		{"changed create updates", resource.PropertyMap{
			"create": resource.NewStringProperty("echo 2"), "triggers": base["triggers"],
		}, pulumirpc.DiffResponse_DIFF_SOME, nil},
		{"changed triggers replace", resource.PropertyMap{
			"create":   base["create"],
			"triggers": resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("id-2")}),
		}, pulumirpc.DiffResponse_DIFF_SOME, []string{"triggers"}},
		{"unknown trigger replaces", resource.PropertyMap{
			"create":   base["create"],
			"triggers": resource.NewArrayProperty([]resource.PropertyValue{resource.MakeComputed(resource.NewStringProperty(""))}),
		}, pulumirpc.DiffResponse_DIFF_SOME, []string{"triggers"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := diff(t, withState, c.news)
			if resp.GetChanges() != c.changes {
				t.Errorf("changes = %v, want %v", resp.GetChanges(), c.changes)
			}
			if strings.Join(resp.GetReplaces(), ",") != strings.Join(c.replaces, ",") {
				t.Errorf("replaces = %v, want %v", resp.GetReplaces(), c.replaces)
			}
		})
	}
}

func TestCheckRejectsWhatThisPluginDoesNotServe(t *testing.T) {
	p := newTestProvider()
	news, err := plugin.MarshalProperties(resource.PropertyMap{
		"create":     resource.NewStringProperty("true"),
		"logging":    resource.NewStringProperty("loud"),
		"assetPaths": resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("*.txt")}),
	}, marshalOptions)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN, News: news})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.GetFailures() {
		failed = append(failed, f.GetProperty())
	}
	if strings.Join(failed, ",") != "logging,assetPaths" {
		t.Errorf("failures on %v, want logging and assetPaths", failed)
	}
	if _, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: "urn:pulumi:dev::proj::command:remote:Command::x", News: news,
	}); err == nil {
		t.Error("a command:remote:Command was accepted")
	}
}
