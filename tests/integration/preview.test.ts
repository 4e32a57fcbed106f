// `pulumi preview` changes nothing on the engine: a preview of the real program on a stack that has
// never been up (so its network, app image, volume and containers are all missing) leaves the
// engine's networks, images, volumes and containers exactly as they were, while saying what an
// update would create. What is compared is the engine's own listing before and after: nothing new
// may appear (the engine may still be tidying up after an earlier test, so objects may go).
import { BUDGET_MS, docker, preview, uniqueName } from "./harness";
import { openProgramStack, ProgramStack, removeProgramStack } from "./program-stack";

const STACK_NAME = uniqueName("preview");
const LABEL = "preview";

/** Every network, image (dangling ones included), volume and container the engine has, by ID. */
async function engineObjects(): Promise<string[]> {
  const listings = await Promise.all([
    docker(["network", "ls", "--quiet", "--no-trunc"]).then((out) => ["network", out] as const),
    docker(["image", "ls", "--all", "--quiet", "--no-trunc"]).then((out) => ["image", out] as const),
    docker(["volume", "ls", "--quiet"]).then((out) => ["volume", out] as const),
    docker(["container", "ls", "--all", "--quiet", "--no-trunc"]).then((out) => ["container", out] as const),
  ]);
  return listings
    .flatMap(([kind, out]) =>
      out
        .split("\n")
        .filter(Boolean)
        .map((id) => `${kind} ${id}`),
    )
    .sort();
}

let ps: ProgramStack | undefined;

afterAll(
  async () => {
    expect(await removeProgramStack(STACK_NAME, ps)).toEqual([]);
  },
  BUDGET_MS.destroy + BUDGET_MS.removeStack + 60_000,
);

test(
  "a preview of a stack never deployed makes no network, image, volume or container",
  async () => {
    ps = await openProgramStack(STACK_NAME, { linkMode: "legacy", port: 3161, subnet: "172.31.253.0/24" });
    const before = await engineObjects();
    // What the update would build: the app image's tag is new to this engine (it names the app).
    const tags = await docker([
      "image",
      "ls",
      "--format",
      "{{.Repository}}",
      `container-links/${ps.names.app}`,
    ]);
    expect(tags).toBe("");

    const previewed = await preview(ps.stack, LABEL);
    expect(previewed.changeSummary.create).toBeGreaterThan(10);

    const after = await engineObjects();
    expect(after.filter((object) => !before.includes(object))).toEqual([]);
  },
  BUDGET_MS.openStack + BUDGET_MS.preview + 30_000,
);
