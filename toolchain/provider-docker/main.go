// Command pulumi-resource-docker serves the Terraform-bridged resources and functions of
// @pulumi/docker (Container, RemoteImage, Network, Volume, Service, ...) under the same tokens and
// property names, built from the Pulumi Terraform bridge and the kreuzwerker Terraform Docker
// provider.
//
// The upstream pulumi-docker provider module is not served by the Go module proxy this project
// builds from; its bridged part is rebuilt here from the modules that are. The native docker.Image
// (BuildKit) resource is not included: the stack builds its app image with the docker CLI instead.
// Online users get the upstream plugin through `pulumi plugin install` instead of this one.
package main

import (
	// The schema is generated from the same mapping by cmd/schemagen before this is built; the
	// bridge type-checks inputs against it (warnings, as upstream) and serves it to GetSchema.
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"container-links/toolchain/provider-docker/dockerinfo"
)

// version is stamped at build time to the @pulumi/docker version this plugin stands in for.
var version = "5.0.0"

//go:embed schema.json
var schema []byte

func main() {
	tfbridge.Main("docker", version, dockerinfo.Provider(version), schema)
}
