// Never a stale "ok": what happens to a running stack behind Pulumi's back, as a tutorial user does
// it with the docker CLI. For each change, `npm run verify` (the checks, run now) fails naming what is
// wrong, `pulumi up` (which refreshes first: Pulumi.yaml `refresh: always`) makes it right again, the
// counter goes on from where it was (Redis's data is on its volume), and `npm run verify` passes.
// Changes that leave the system working (a container back on another address, the engine restarted)
// make no check fail; `pulumi up` then runs again the checks that looked at what moved (a container
// that came back where it was needs none).
import { execFile } from "child_process";
import * as path from "path";
import { BUDGET_MS, docker, httpGet, REPO_ROOT, toolchainEnv, uniqueName, up, waitFor } from "./harness";
import {
  countedGet,
  inspectContainer,
  opened,
  openProgramStack,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
  verificationOf,
} from "./program-stack";
import { restartEngine } from "./engine";
import { configDefault } from "../../lib/config";

const STACK_NAME = uniqueName("drift");
const LABEL = "drift";
const PORT = 3151;
const SUBNET = "172.31.252.0/24";
const VERIFY_BUDGET_MS = 60_000;
/** The probe's image (busybox): present wherever the stack runs. */
const probeImage = () => String(configDefault("probeImage"));

let ps: ProgramStack | undefined;

interface Verify {
  code: number | null;
  output: string;
}

/** `npm run verify -- --stack <stack>`: the checks, run now against the live containers. */
function verify(): Promise<Verify> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, "scripts", "verify.js"), "--stack", STACK_NAME],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...toolchainEnv(), NO_COLOR: "1" },
        timeout: VERIFY_BUDGET_MS,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") reject(new Error(`verify: ${err.message}\n${stderr}`));
        else resolve({ code: err ? Number(err.code) : 0, output: `${stdout}\n${stderr}` });
      },
    ),
  );
}

/** `pulumi up`, which must succeed with every check ok; returns when the checks last ran. */
async function heal(): Promise<string> {
  const result = await up(opened(ps).stack, LABEL);
  expect(result.summary.result).toBe("succeeded");
  return verificationOf(result).checkedAt;
}

/** The counter now; then `change`; then verify must fail naming `what`; `pulumi up` heals; data kept. */
async function driftAndHeal(change: () => Promise<void>, what: RegExp): Promise<void> {
  const { url } = opened(ps);
  const before = await countedGet(url);
  await change();
  const broken = await verify();
  expect({ code: broken.code, names: what.test(broken.output) }).toEqual({ code: 1, names: true });
  expect(broken.output).toContain("run now");
  expect(broken.output).toMatch(/overall: FAILED/);
  await heal();
  const passed = await verify();
  expect({ code: passed.code, output: passed.output }).toEqual({
    code: 0,
    output: expect.stringContaining("overall: ok"),
  });
  // The count went on: the checks' and verify's own requests came in between.
  expect(await countedGet(url)).toBeGreaterThan(before);
}

beforeAll(
  async () => {
    ps = await openProgramStack(STACK_NAME, { linkMode: "legacy", port: PORT, subnet: SUBNET });
    await heal();
  },
  BUDGET_MS.openStack + BUDGET_MS.up + 30_000,
);

afterAll(async () => {
  expect(await removeProgramStack(STACK_NAME, ps)).toEqual([]);
}, REMOVE_BUDGET_MS);

const STEP_MS = BUDGET_MS.up + 3 * VERIFY_BUDGET_MS;

test(
  "up on an unchanged stack changes nothing, and verify says the checks ran now",
  async () => {
    const { stack } = opened(ps);
    const result = await up(stack, LABEL);
    expect(result.summary.resourceChanges).toEqual({ same: expect.any(Number) });
    const now = await verify();
    expect(now.code).toBe(0);
    expect(now.output).toMatch(/checks of the it-drift-\S+ stack, run now \(\d{4}-\d\d-\d\dT/);
  },
  STEP_MS,
);

test(
  "the app removed: verify fails naming it; up makes it again; the count goes on",
  async () => {
    const { names } = opened(ps);
    await driftAndHeal(
      () => docker(["rm", "--force", names.app]).then(() => undefined),
      new RegExp(`no container ${names.app}`),
    );
  },
  STEP_MS,
);

test(
  "Redis removed: verify fails; up makes it again on the same volume; the count goes on",
  async () => {
    const { names } = opened(ps);
    await driftAndHeal(
      () => docker(["rm", "--force", names.redis]).then(() => undefined),
      /HTTP 503|redis is not connected/,
    );
  },
  STEP_MS,
);

test(
  "the app stopped: verify fails saying so; up starts it again",
  async () => {
    const { names } = opened(ps);
    await driftAndHeal(
      () => docker(["stop", names.app]).then(() => undefined),
      new RegExp(`container ${names.app} has stopped`),
    );
    expect((await inspectContainer(names.app)).State.Running).toBe(true);
  },
  STEP_MS,
);

test(
  "the app renamed: verify fails (no container by its name); up puts the stack's container back under it",
  async () => {
    const { names } = opened(ps);
    await driftAndHeal(
      () => docker(["rename", names.app, `${names.app}-renamed`]).then(() => undefined),
      new RegExp(`no container ${names.app}`),
    );
    // The renamed one was the stack's: replacing it removed it.
    expect(await docker(["ps", "--all", "--quiet", "--filter", `name=^${names.app}-renamed$`])).toBe("");
  },
  STEP_MS,
);

test(
  "a look-alike of the app made by hand: verify fails (not the stack's); up refuses to touch it until it is removed",
  async () => {
    const { names, stack } = opened(ps);
    const image = (await inspectContainer(names.app)).Config.Image;
    await docker(["rm", "--force", names.app]);
    const lookAlike = await docker(["run", "-d", "--name", names.app, image, "sleep", "600"]);
    const broken = await verify();
    expect(broken.code).toBe(1);
    expect(broken.output).toContain(`container ${names.app} is not the one the stack made`);
    // Pulumi never removes what it did not make: the update stops at the name in use, and says so.
    const refused = await up(stack, LABEL).then(
      () => "succeeded",
      (e: Error) => e.message,
    );
    expect(refused).toMatch(new RegExp(`name "/${names.app}" is already in use`));
    expect((await inspectContainer(names.app)).Id).toBe(lookAlike);
    await docker(["rm", "--force", names.app]);
    await heal();
    expect((await verify()).code).toBe(0);
  },
  STEP_MS + BUDGET_MS.up,
);

test(
  "the network removed (after what used it): verify fails; up makes it all again; the count goes on",
  async () => {
    const { names } = opened(ps);
    await driftAndHeal(async () => {
      await docker(["rm", "--force", names.app, names.cli, names.probe, names.redis]);
      await docker(["network", "rm", names.network]);
    }, /does not exist/);
  },
  STEP_MS,
);

test(
  "the app restarted on another address: nothing fails; up runs its checks again",
  async () => {
    const { names, stack, url } = opened(ps);
    const { checkedAt: before } = verificationOf(await up(stack, LABEL));
    const address = () =>
      inspectContainer(names.app).then((c) => c.NetworkSettings.Networks[names.network].IPAddress);
    const old = await address();
    // While the app is stopped, another container takes its address; started again, it gets another.
    const squatter = `${STACK_NAME}-squatter`;
    await docker(["stop", names.app]);
    try {
      await docker([
        "run",
        "-d",
        "--init",
        "--name",
        squatter,
        "--network",
        names.network,
        "--ip",
        old,
        probeImage(),
        "sleep",
        "600",
      ]);
      await docker(["start", names.app]);
      expect(await address()).not.toBe(old);
      await waitFor(async () => (await httpGet(url)).status === 200, {
        timeoutMs: 30_000,
        what: `${url} to answer 200 again`,
      });
      expect((await verify()).code).toBe(0);
      expect(await heal()).not.toBe(before);
    } finally {
      await docker(["rm", "--force", squatter]);
    }
  },
  STEP_MS,
);

test(
  "the engine restarted: the containers come back by their restart policy; verify passes; up heals what moved",
  async () => {
    const { url } = opened(ps);
    const before = await countedGet(url);
    await restartEngine();
    await waitFor(async () => (await countedGet(url)) > before, {
      timeoutMs: 60_000,
      what: `${url} to count again after the engine restarted`,
    });
    const now = await verify();
    expect({ code: now.code, output: now.output }).toEqual({
      code: 0,
      output: expect.stringContaining("overall: ok"),
    });
    await heal();
  },
  STEP_MS + 180_000,
);
