// Command pulumi-resource-docker serves the Terraform-bridged resources of @pulumi/docker
// (Container, RemoteImage, Network, Volume, Service, ...) under the same tokens and property
// names, built from the Pulumi Terraform bridge and the kreuzwerker Terraform Docker provider.
//
// The upstream pulumi-docker provider module is not served by the Go module proxy this project
// builds from; its Terraform-bridged part is rebuilt here from the modules that are. The
// provider's native docker.Image (BuildKit) resource is not included: the stack builds its app
// image with the docker CLI instead. Online users get the upstream plugin through
// `pulumi plugin install` instead of this one.
package main

import (
	"unicode"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// version is stamped at build time to the @pulumi/docker version this plugin stands in for.
var version = "5.0.0"

// resourceToken names a resource the way @pulumi/docker does: docker:index/<camelName>:<Name>.
func resourceToken(name string) tokens.Type {
	file := string(unicode.ToLower(rune(name[0]))) + name[1:]
	return tokens.Type("docker:index/" + file + ":" + name)
}

func providerInfo() tfbridge.ProviderInfo {
	return tfbridge.ProviderInfo{
		P:       shimv2.NewProvider(shim.NewProvider()),
		Name:    "docker",
		Version: version,
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				EnvVars: []string{"DOCKER_HOST"},
				Value:   "unix:///var/run/docker.sock",
			}},
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container": {
				Tok:                 resourceToken("Container"),
				DeleteBeforeReplace: true,
				Fields: map[string]*tfbridge.SchemaInfo{
					// One command, not several: @pulumi/docker keeps the singular name.
					"command":           {Name: "command"},
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			"docker_image": {
				Tok:    resourceToken("RemoteImage"),
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
			"docker_config":         {Tok: resourceToken("ServiceConfig")},
			"docker_network":        {Tok: resourceToken("Network")},
			"docker_plugin":         {Tok: resourceToken("Plugin")},
			"docker_registry_image": {Tok: resourceToken("RegistryImage")},
			"docker_secret":         {Tok: resourceToken("Secret")},
			"docker_service":        {Tok: resourceToken("Service")},
			"docker_tag":            {Tok: resourceToken("Tag")},
			"docker_volume":         {Tok: resourceToken("Volume")},
		},
	}
}

func main() {
	tfbridge.Main("docker", version, providerInfo(), nil)
}
