// The integration tests' helpers: the general ones (toolchain, stacks, docker, waits) live in
// harness/ at the repository root, which the bench imports too; this adds what only these tests use.
import * as path from "path";

export * from "../../harness";

export const FIXTURES_DIR = path.join(__dirname, "fixtures");
