// Package dockerinfo maps the kreuzwerker Terraform Docker provider onto @pulumi/docker's tokens and
// property names. It is shared by the plugin and by the schema generator the build runs first, so
// the schema the plugin serves is generated from the very mapping it runs with.
//
// The mapping follows pulumi-docker v5.0.0's bridged part: the same resource and function tokens,
// field renames, provider config defaults and auto-naming. What differs from v5.0.0, and why, is
// listed in toolchain/README.md.
package dockerinfo

import (
	"context"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	bridgetokens "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// defaultHost is the engine address used when neither the config nor DOCKER_HOST names one. It is
// computed, not a schema default, so the SDKs read DOCKER_HOST and nothing else (as v5.0.0's do).
const defaultHost = "unix:///var/run/docker.sock"

// Provider returns the bridge's description of the plugin at the given version.
func Provider(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:       shimv2.NewProvider(shim.NewProvider()),
		Name:    "docker",
		Version: version,
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				EnvVars: []string{"DOCKER_HOST"},
				ComputeDefault: func(context.Context, tfbridge.ComputeDefaultOptions) (interface{}, error) {
					return defaultHost, nil
				},
			}},
			// One list of registries, under the singular name @pulumi/docker has always used.
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_config": {Tok: resourceToken("ServiceConfig")},
			"docker_container": {
				Tok:                 resourceToken("Container"),
				DeleteBeforeReplace: true,
				Fields: map[string]*tfbridge.SchemaInfo{
					// A list that is one command, and a list of networks named in the singular
					// upstream: neither gets the bridge's automatic plural.
					"command":           {Name: "command"},
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			"docker_image": {
				Tok: resourceToken("RemoteImage"),
				// Required as in Terraform: a RemoteImage is never auto-named.
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
			"docker_network":        {Tok: resourceToken("Network")},
			"docker_plugin":         {Tok: resourceToken("Plugin")},
			"docker_registry_image": {Tok: resourceToken("RegistryImage")},
			"docker_secret":         {Tok: resourceToken("Secret")},
			"docker_service":        {Tok: resourceToken("Service")},
			"docker_tag":            {Tok: resourceToken("Tag")},
			"docker_volume":         {Tok: resourceToken("Volume")},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image":          {Tok: functionToken("getRemoteImage")},
			"docker_logs":           {Tok: functionToken("getLogs")},
			"docker_network":        {Tok: functionToken("getNetwork")},
			"docker_plugin":         {Tok: functionToken("getPlugin")},
			"docker_registry_image": {Tok: functionToken("getRegistryImage")},
		},
	}
	// Whatever is not named above (BuildxBuilder, getRegistryImageManifests) gets the standard
	// docker:index/<name>:<Name> token, as in v5.0.0.
	info.MustComputeTokens(bridgetokens.SingleModule("docker_", "index", bridgetokens.MakeStandard("docker")))
	// A resource with a `name` input gets `<resource name>-<7 random hex>` when the program sets
	// none, and `name` becomes optional.
	info.SetAutonaming(255, "-")
	return info
}

func resourceToken(name string) tokens.Type {
	return tokens.Type("docker:index/" + lowerFirst(name) + ":" + name)
}

func functionToken(name string) tokens.ModuleMember {
	return tokens.ModuleMember("docker:index/" + name + ":" + name)
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }
