// The sweep that runs before the integration tests (sweep.ts, jest's globalSetup) removes what a
// killed run left behind and nothing else: a real container, network and volume per case.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import { docker, leftovers } from "./harness";
import globalSetup from "./sweep";

/** A pid that was a process a moment ago and is gone now, as a killed test run's worker. */
function deadPid(): number {
  const child = spawnSync("true");
  if (child.pid === undefined) throw new Error("could not start `true` to get a pid");
  return child.pid;
}

const hex = () => crypto.randomBytes(3).toString("hex");
const killed = `it-sweep-${deadPid()}-${hex()}`;
const alive = `it-sweep-${process.pid}-${hex()}`;
const other = `sweep-keep-${hex()}`;

async function leave(prefix: string): Promise<void> {
  await docker(["network", "create", `${prefix}-net`]);
  await docker(["volume", "create", `${prefix}-data`]);
  await docker([
    "create",
    "--name",
    `${prefix}-box`,
    "--network",
    `${prefix}-net`,
    "-v",
    `${prefix}-data:/data`,
    "busybox:1.38",
    "true",
  ]);
}

afterAll(async () => {
  for (const prefix of [killed, alive, other]) {
    await docker(["rm", "-f", `${prefix}-box`]).catch(() => undefined);
    await docker(["network", "rm", `${prefix}-net`]).catch(() => undefined);
    await docker(["volume", "rm", `${prefix}-data`]).catch(() => undefined);
  }
}, 60_000);

test("a killed run's container, network and volume go; a live run's and others' stay", async () => {
  await Promise.all([leave(killed), leave(alive), leave(other)]);
  expect(await leftovers(killed)).toHaveLength(3);

  await globalSetup();

  expect(await leftovers(killed)).toEqual([]);
  expect((await leftovers(alive)).sort()).toEqual([
    `container ${alive}-box`,
    `network ${alive}-net`,
    `volume ${alive}-data`,
  ]);
  expect((await leftovers(other)).sort()).toEqual([
    `container ${other}-box`,
    `network ${other}-net`,
    `volume ${other}-data`,
  ]);
}, 240_000);
