package main

import (
	"encoding/json"

	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The schema of what this plugin serves, in @pulumi/command 1.2.1's terms: the tokens, property
// names, types, required properties and replace rules its SDK was generated from. The descriptions
// are this project's own, one line each. tests/conformance holds it to the SDK's generated types.

const (
	loggingToken = "command:local:Logging"
	loggingRef   = "#/types/" + loggingToken
)

func stringSpec(description string) pschema.PropertySpec {
	return pschema.PropertySpec{TypeSpec: pschema.TypeSpec{Type: "string"}, Description: description}
}

func stringList(description string) pschema.PropertySpec {
	return pschema.PropertySpec{
		TypeSpec:    pschema.TypeSpec{Type: "array", Items: &pschema.TypeSpec{Type: "string"}},
		Description: description,
	}
}

func baseInputSpecs() map[string]pschema.PropertySpec {
	return map[string]pschema.PropertySpec{
		"addPreviousOutputInEnv": {
			TypeSpec:    pschema.TypeSpec{Type: "boolean"},
			Description: "Whether the previous run's stdout and stderr are passed as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR (default true).",
		},
		"archivePaths": stringList("Globs of files to return as one archive after the command ran."),
		"assetPaths":   stringList("Globs of files to return as assets after the command ran."),
		"dir":          stringSpec("Directory to run the command in (default: the plugin's working directory)."),
		"environment": {
			TypeSpec: pschema.TypeSpec{
				Type:                 "object",
				AdditionalProperties: &pschema.TypeSpec{Type: "string"},
			},
			Description: "Additional environment variables for the command.",
		},
		"interpreter": stringList("Program and arguments that run the command (default [\"/bin/sh\", \"-c\"])."),
		"logging": {
			TypeSpec:    pschema.TypeSpec{Ref: loggingRef},
			Description: "Which output streams are shown as status lines while the command runs (default both).",
		},
		"stdin": stringSpec("Standard input of the command."),
	}
}

func baseOutputSpecs() map[string]pschema.PropertySpec {
	specs := baseInputSpecs()
	specs["stdout"] = stringSpec("Standard output of the command, without its last newline.")
	specs["stderr"] = stringSpec("Standard error of the command, without its last newline.")
	specs["assets"] = pschema.PropertySpec{
		TypeSpec: pschema.TypeSpec{
			Type:                 "object",
			AdditionalProperties: &pschema.TypeSpec{Ref: "pulumi.json#/Asset"},
		},
		Description: "Files matched by assetPaths, by path relative to dir.",
	}
	specs["archive"] = pschema.PropertySpec{
		TypeSpec:    pschema.TypeSpec{Ref: "pulumi.json#/Archive"},
		Description: "Archive of the files matched by archivePaths.",
	}
	return specs
}

func commandInputSpecs() map[string]pschema.PropertySpec {
	specs := baseInputSpecs()
	specs["create"] = stringSpec("Command run when the resource is created (and on updates without an update command).")
	specs["update"] = stringSpec("Command run when the resource's inputs change.")
	specs["delete"] = stringSpec("Command run when the resource is deleted.")
	specs["triggers"] = pschema.PropertySpec{
		TypeSpec: pschema.TypeSpec{
			Type:  "array",
			Items: &pschema.TypeSpec{Ref: "pulumi.json#/Any"},
		},
		Description:      "Values of any type whose change replaces the resource.",
		ReplaceOnChanges: true,
	}
	return specs
}

func packageSpec(version string) pschema.PackageSpec {
	commandOutputs := baseOutputSpecs()
	for k, v := range commandInputSpecs() {
		commandOutputs[k] = v
	}
	runInputs := baseInputSpecs()
	runInputs["command"] = stringSpec("The command to run.")
	runOutputs := baseOutputSpecs()
	runOutputs["command"] = runInputs["command"]

	return pschema.PackageSpec{
		Name:        "command",
		Version:     version,
		DisplayName: "Command",
		Description: "Runs commands as part of a Pulumi deployment (this project's build of the local part).",
		Meta:        &pschema.MetadataSpec{ModuleFormat: "(.*)"},
		Provider: &pschema.ResourceSpec{
			ObjectTypeSpec: pschema.ObjectTypeSpec{Type: "object", Description: "The command provider."},
		},
		Types: map[string]pschema.ComplexTypeSpec{
			loggingToken: {
				ObjectTypeSpec: pschema.ObjectTypeSpec{Type: "string"},
				Enum: []pschema.EnumValueSpec{
					{Name: "Stdout", Value: "stdout", Description: "Log stdout, not stderr."},
					{Name: "Stderr", Value: "stderr", Description: "Log stderr, not stdout."},
					{Name: "StdoutAndStderr", Value: "stdoutAndStderr", Description: "Log both."},
					{Name: "None", Value: "none", Description: "Log neither."},
				},
			},
		},
		Resources: map[string]pschema.ResourceSpec{
			commandType: {
				ObjectTypeSpec: pschema.ObjectTypeSpec{
					Type:        "object",
					Description: "A command run on the machine of the deployment when the resource is created, updated or deleted.",
					Properties:  commandOutputs,
					Required:    []string{"stderr", "stdout"},
				},
				InputProperties: commandInputSpecs(),
			},
		},
		Functions: map[string]pschema.FunctionSpec{
			runToken: {
				Description: "A command run on every preview and update of the program.",
				Inputs: &pschema.ObjectTypeSpec{
					Type:       "object",
					Properties: runInputs,
					Required:   []string{"command"},
				},
				Outputs: &pschema.ObjectTypeSpec{
					Type:       "object",
					Properties: runOutputs,
					Required:   []string{"command", "stderr", "stdout"},
				},
			},
		},
	}
}

func schemaJSON(version string) (string, error) {
	b, err := json.Marshal(packageSpec(version))
	return string(b), err
}
