// Smoke test of the toolchain and the harness against the real engine: a throwaway stack with one
// container and one command.local.Command goes up, its outputs are checked against docker, a
// second preview shows no changes, and destroy leaves nothing behind.
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import {
  BUDGET_MS,
  destroy,
  docker,
  FIXTURES_DIR,
  leftovers,
  openStack,
  preview,
  removeStack,
  uniqueName,
  up,
} from "./harness";

const WORK_DIR = path.join(FIXTURES_DIR, "smoke");
const STACK_NAME = uniqueName("smoke");
// The container shares the stack's unique name, so leftovers(STACK_NAME) finds exactly what this
// run created.
const CONTAINER_NAME = STACK_NAME;
const LABEL = "smoke";

// One test walks the whole lifecycle: the jest timeout covers all its bounded steps plus slack.
const TEST_TIMEOUT_MS =
  BUDGET_MS.openStack + BUDGET_MS.up + BUDGET_MS.preview + BUDGET_MS.destroy + BUDGET_MS.removeStack + 60_000;

let stack: Stack | undefined;

afterAll(
  async () => {
    if (stack) {
      await removeStack(stack);
    }
  },
  BUDGET_MS.destroy + BUDGET_MS.removeStack + 30_000,
);

test(
  "up, outputs match docker, preview shows no changes, destroy leaves nothing behind",
  async () => {
    stack = await openStack({
      workDir: WORK_DIR,
      stackName: STACK_NAME,
      config: { "container-links-smoke:containerName": CONTAINER_NAME },
    });

    const result = await up(stack, LABEL);
    expect(result.summary.result).toBe("succeeded");
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    expect(outputs.containerName).toBe(CONTAINER_NAME);
    expect(outputs.containerId).toMatch(/^[0-9a-f]{64}$/);

    const inspected = JSON.parse(await docker(["inspect", "--type", "container", CONTAINER_NAME]));
    expect(inspected).toHaveLength(1);
    expect(inspected[0].Id).toBe(outputs.containerId);
    expect(inspected[0].State.Running).toBe(true);
    expect(inspected[0].Config.Cmd).toEqual(["sleep", "600"]);
    // Docker sets a container's hostname to the first 12 characters of its ID.
    expect(outputs.hostname).toBe(String(outputs.containerId).slice(0, 12));

    const again = await preview(stack, LABEL);
    expect(again.changeSummary).toEqual({ same: expect.any(Number) });
    // The stack itself plus the image, the container and the command.
    expect(again.changeSummary.same).toBe(4);

    const gone = await destroy(stack, LABEL);
    expect(gone.summary.result).toBe("succeeded");
    expect(await leftovers(STACK_NAME)).toEqual([]);
    // keepLocally: destroy leaves the shared image in the engine (no registry to pull it back from).
    await docker(["image", "inspect", "--format", "{{.Id}}", "busybox:1.38"]);

    await removeStack(stack);
    const stacks = await stack.workspace.listStacks();
    expect(stacks.map((s) => s.name)).not.toContain(STACK_NAME);
  },
  TEST_TIMEOUT_MS,
);
