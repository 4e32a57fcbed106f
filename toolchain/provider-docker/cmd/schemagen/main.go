// Command schemagen writes the Pulumi package schema of the docker plugin to stdout: the bridge's
// schema generator run over the plugin's own mapping (dockerinfo), without documentation pages.
// Usage: schemagen <version>
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"

	"container-links/toolchain/provider-docker/dockerinfo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: schemagen <version>")
		os.Exit(2)
	}
	// Missing upstream docs are reported as warnings on stderr; only errors stop the build.
	sink := diag.DefaultSink(os.Stderr, os.Stderr, diag.FormatOptions{Color: colors.Never})
	spec, err := tfgen.GenerateSchema(dockerinfo.Provider(os.Args[1]), sink)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
	out, err := json.MarshalIndent(spec, "", "    ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
