// A broken link fails `pulumi up`, and says why. The fixture (fixtures/broken-link) is the stack of
// index.ts with the counter app linked under a wrong alias (`redis-typo`) while the app and the checks
// look for `redis`: the app gets no `redis` link (no REDIS_* variables, no /etc/hosts line), cannot
// reach Redis and answers 503. The failed update leaves resources behind; destroy must clear them.
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import {
  BUDGET_MS,
  destroy,
  docker,
  FIXTURES_DIR,
  leftovers,
  openStack,
  removeStack,
  resourceCount,
  uniqueName,
  up,
} from "./harness";
import { programConfig, programNames } from "./program-stack";

const WORK_DIR = path.join(FIXTURES_DIR, "broken-link");
// The fixture's project name, which is also its config namespace (lib/config/load.ts uses cfg.name).
const STACK_NAME = uniqueName("broken-link");
const LABEL = "broken-link";
const ALIAS = "redis";
const APP_PORT = 3122;
const SUBNET = "172.31.244.0/24";
const READY_TIMEOUT_SECONDS = 15;
const NAMES = programNames(STACK_NAME);

const TEST_TIMEOUT_MS =
  BUDGET_MS.openStack + BUDGET_MS.up + BUDGET_MS.destroy + BUDGET_MS.removeStack + 60_000;

let stack: Stack | undefined;

afterAll(
  async () => {
    if (stack) await removeStack(stack);
  },
  BUDGET_MS.destroy + BUDGET_MS.removeStack + 30_000,
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Everything the Automation API's error carries: its message and, when present, the CLI's output. */
function errorText(error: unknown): string {
  const e = error as { message?: unknown; stdout?: unknown; stderr?: unknown; commandResult?: unknown };
  const result = e.commandResult as { stdout?: unknown; stderr?: unknown } | undefined;
  return [e.message, e.stdout, e.stderr, result?.stdout, result?.stderr]
    .filter((part): part is string => typeof part === "string")
    .join("\n");
}

test(
  "up fails naming the check, what it expected and what it saw; destroy still clears everything",
  async () => {
    stack = await openStack({
      workDir: WORK_DIR,
      stackName: STACK_NAME,
      // Bare keys: the CLI puts them in the fixture's namespace (container-links-broken-link:*).
      config: programConfig(NAMES, {
        linkMode: "legacy",
        port: APP_PORT,
        subnet: SUBNET,
        extra: { linkAlias: ALIAS, retainData: "false", readyTimeoutSeconds: String(READY_TIMEOUT_SECONDS) },
      }),
    });

    const failure = await up(stack, LABEL).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    const text = errorText(failure);

    // Every check that failed is named, each with what it expected and what it saw.
    const failed = [...new Set([...text.matchAll(/check (\w+) failed:/g)].map((m) => m[1]))].sort();
    const explained = [
      ...new Set(
        [...text.matchAll(/check (\w+) failed: [^\n]*\n\s*expected: [^\n]+\n\s*seen: +[^\n]+/g)].map(
          (m) => m[1],
        ),
      ),
    ].sort();
    expect(failed).toContain("http");
    expect(explained).toEqual(failed);
    // The app cannot reach Redis under the alias it uses: 200 expected, 503 seen.
    const url = escapeRegExp(`http://127.0.0.1:${APP_PORT}/`);
    expect(text).toMatch(
      new RegExp(
        `check http failed: [^\\n]*\\n\\s*expected: ${url} answers HTTP 200[^\\n]*\\n\\s*seen: +${url}: HTTP 503`,
      ),
    );
    // The probe's link is right, so the ping check passes: the failure is the app's link only.
    expect(failed).not.toContain("ping");
    process.stderr.write(`[${LABEL}] checks that failed: ${failed.join(", ")}\n`);

    // The failed update left the containers behind: the app really has the link under the wrong alias
    // only (the failure above is that mistake, not something else).
    expect(await resourceCount(stack)).toBeGreaterThan(0);
    const appEnv = (await docker(["exec", NAMES.app, "env"])).split("\n");
    expect(appEnv).toContain(`REDIS_TYPO_NAME=/${NAMES.app}/${ALIAS}-typo`);
    expect(appEnv.filter((line) => line.startsWith("REDIS_PORT"))).toEqual([]);
    const appHosts = (await docker(["exec", NAMES.app, "cat", "/etc/hosts"])).split("\n");
    const names = (line: string) => line.trim().split(/\s+/).slice(1);
    expect(appHosts.filter((line) => names(line).includes(`${ALIAS}-typo`))).toHaveLength(1);
    expect(appHosts.filter((line) => names(line).includes(ALIAS))).toEqual([]);

    // Destroy clears what the failed update created.
    const gone = await destroy(stack, LABEL);
    expect(gone.summary.result).toBe("succeeded");
    expect(await resourceCount(stack)).toBe(0);
    expect(await leftovers(STACK_NAME)).toEqual([]);
    expect(await docker(["image", "ls", "--quiet", `container-links/${NAMES.app}`])).toBe("");

    await removeStack(stack);
    expect((await stack.workspace.listStacks()).map((s) => s.name)).not.toContain(STACK_NAME);
  },
  TEST_TIMEOUT_MS,
);
