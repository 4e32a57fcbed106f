// The tutorial's own kind of app runs again, through a loud opt-out of Redis's password. The app is
// fixtures/tutorial-app: Redis at `redis` written in, no password support, no healthcheck, as the
// tutorial's katacoda/redis-node-docker-example. With `redisAuth: none` it passes every check in
// both link modes, the run warns what that opens, the outputs say so, any container on the stack's
// network gets in without a password (what "open" means), and Redis is still not published. With
// the default, the same app fails `up` at once with the cause and both fixes, instead of waiting out
// the ready timeout.
import { execFile } from "child_process";
import * as path from "path";
import {
  BUDGET_MS,
  docker,
  dockerBuild,
  FIXTURES_DIR,
  REPO_ROOT,
  toolchainEnv,
  up,
  uniqueName,
} from "./harness";
import {
  countedGet,
  inspectContainer,
  opened,
  openProgramStack,
  outputValues,
  ProgramStack,
  REMOVE_BUDGET_MS,
  removeProgramStack,
} from "./program-stack";

const IMAGE = `${uniqueName("tutorial-app")}:1`;
const OPEN = uniqueName("auth-none");
const GUARDED = uniqueName("auth-password");
// Long enough that waiting it out could not pass for failing fast.
const READY_TIMEOUT_SECONDS = 600;

/** `npm run verify -- --stack <stack>`: exit code and what it printed. */
function verify(stackName: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, "scripts", "verify.js"), "--stack", stackName],
      { cwd: REPO_ROOT, env: { ...process.env, ...toolchainEnv(), NO_COLOR: "1" }, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") reject(new Error(`verify: ${err.message}\n${stderr}`));
        else resolve({ code: err ? Number(err.code) : 0, output: `${stdout}\n${stderr}` });
      },
    ),
  );
}

let open: ProgramStack | undefined;
let guarded: ProgramStack | undefined;
const logs: string[] = [];
const capture = { onOutput: (s: string) => logs.push(s), onError: (s: string) => logs.push(s) };

beforeAll(
  async () => {
    await dockerBuild(["--quiet", "--tag", IMAGE, path.join(FIXTURES_DIR, "tutorial-app")]);
  },
  2 * BUDGET_MS.docker + 10_000,
);

afterAll(
  async () => {
    const left = [...(await removeProgramStack(OPEN, open)), ...(await removeProgramStack(GUARDED, guarded))];
    await docker(["image", "rm", IMAGE]);
    expect(left).toEqual([]);
  },
  2 * REMOVE_BUDGET_MS + 30_000,
);

describe("redisAuth none: an app that knows nothing of passwords", () => {
  test.each(["legacy", "network"] as const)(
    "passes every check with linkMode %s, warned about and shown",
    async (linkMode) => {
      if (open === undefined) {
        open = await openProgramStack(OPEN, {
          linkMode,
          port: 3162,
          subnet: "172.31.254.0/24",
          extra: { appImage: IMAGE, redisAuth: "none", retainData: "false" },
        });
      } else {
        await open.stack.setConfig("linkMode", { value: linkMode });
      }
      const { stack, names, url } = opened(open);
      logs.length = 0;
      const result = await up(stack, `auth none ${linkMode}`, capture);
      expect(result.summary.result).toBe("succeeded");
      const outputs = outputValues(result);
      expect(outputs.redis).toMatchObject({ auth: "none" });
      expect(outputs.link).toMatchObject({ mode: linkMode });
      expect(logs.join("")).toContain('redisAuth is "none": Redis runs without a password');
      // The app counts through Redis, which it reached without logging in.
      const before = await countedGet(url);
      expect(await countedGet(url)).toBe(before + 1);
      // What "none" opens: any container on the stack's network reads and writes without a password.
      const image = (await inspectContainer(names.redis)).Config.Image;
      const anyone = (...args: string[]) =>
        docker([
          "run",
          "--rm",
          "--network",
          names.network,
          image,
          "redis-cli",
          "-h",
          "172.31.254.10",
          ...args,
        ]);
      expect(await anyone("--raw", "GET", "requests")).toBe(String(before + 1));
      // What it does not: Redis is still not published on the host.
      expect(await docker(["port", names.redis])).toBe("");
      // npm run verify runs the checks now, and says that auth is off.
      const verified = await verify(OPEN);
      expect(verified.output).toContain("Redis auth: none (redisAuth: none)");
      expect(verified.code).toBe(0);
    },
    BUDGET_MS.openStack + BUDGET_MS.up + 60_000,
  );
});

test(
  "with the default, the same app fails up at once, naming the cause and both fixes",
  async () => {
    guarded = await openProgramStack(GUARDED, {
      linkMode: "legacy",
      port: 3163,
      subnet: "172.31.255.0/24",
      extra: { appImage: IMAGE, retainData: "false", readyTimeoutSeconds: String(READY_TIMEOUT_SECONDS) },
    });
    const failure = await up(guarded.stack, "auth password, app without one").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    const text = String((failure as Error).message);
    expect(text).toContain("check http failed: the app did not log in to Redis");
    expect(text).toContain("NOAUTH");
    expect(text).toContain("REDIS_PASSWORD_FILE");
    expect(text).toContain("redisAuth");
    // It stopped on the app's answer, not on the bound.
    expect(text).not.toContain(`waited ${READY_TIMEOUT_SECONDS} s`);
  },
  BUDGET_MS.openStack + BUDGET_MS.up + 30_000,
);
