// What the integration tests and the bench share: the pinned toolchain's environment, stacks of the
// repository's programs, bounded docker calls and waits. Every step is bounded; long steps print
// progress lines to stderr: `[<label> +<elapsed>s] <line>`.
export * from "./toolchain";
export * from "./stacks";
export * from "./docker";
export * from "./wait";
