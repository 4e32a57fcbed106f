//go:build tools

// Package tools pins the Pulumi CLI as a requirement of this module, so that
// `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` here builds it at the version in go.mod
// (pkg/v3's own go.mod has relative replace directives, which `go install pkg@version` refuses).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
