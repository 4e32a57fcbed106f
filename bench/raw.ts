// The raw CLI path: the tutorial's commands one after the other, each timed: Redis, the linked app
// with its published port, the first 200, the three link probes, three requests, KEYS *, and
// `docker rm -f`. Every output is checked, so a broken run fails instead of looking fast.
import { isStrictlyIncreasingByOne } from "../checks/support/compare";
import { parseEnv, parseHosts, parseKeys, parsePing, parseTotalRequests } from "../checks/support/parse";
import { docker, httpGet } from "../harness";
import { linkVarPattern } from "../lib/links";
import { Path } from "./results";
import { firstOk, now, stepTimer } from "./setup";

const PORT = 3171;
const LINK = "bench-redis-server:redis";

const run = (args: string[]) => docker(["run", ...args], { timeoutMs: 60_000 });

function check(ok: boolean, step: string, expected: string, seen: string): void {
  if (!ok) throw new Error(`raw path, ${step}: expected ${expected}, got: ${seen.trim() || "(nothing)"}`);
}

export const rawPath: Path = {
  id: "raw",
  label: "raw CLI",
  async run(images) {
    const { steps, step } = stepTimer();
    /** A busybox container linked to Redis, removed when it exits. */
    const probe = (label: string, name: string, command: string[]) =>
      step(label, () => run(["--rm", "--name", name, "--link", LINK, images.probe, ...command]));
    const start = now();
    await step("docker run -d redis", () => run(["-d", "--name", "bench-redis-server", images.redis]));
    const published = ["-p", `${PORT}:3000`, "--link", LINK];
    await step("docker run -d -p --link app", () =>
      run(["-d", "--name", "bench-app", ...published, images.app]),
    );
    const upMs = now() - start;
    await step("wait for the first 200", () => firstOk(PORT));
    const firstOkMs = now() - start;

    const env = await probe("docker run --link busybox env", "bench-probe-env", ["env"]);
    const vars = parseEnv(env, linkVarPattern("redis"));
    const ip = vars.REDIS_PORT_6379_TCP_ADDR;
    const linked = vars.REDIS_PORT === `tcp://${ip}:6379` && vars.REDIS_NAME === "/bench-probe-env/redis";
    check(!!ip && linked, "env", "REDIS_PORT=tcp://<ip>:6379 and REDIS_NAME=/bench-probe-env/redis", env);
    const hosts = await probe("... cat /etc/hosts", "bench-probe-hosts", ["cat", "/etc/hosts"]);
    const lines = parseHosts(hosts, "redis");
    check(lines.length === 1 && lines[0].ip === ip, "hosts", `one line naming redis with ${ip}`, hosts);
    const ping = await probe("... ping -c 1 redis", "bench-probe-ping", ["ping", "-c", "1", "redis"]);
    const reply = parsePing(ping);
    check(reply.received === 1 && reply.address === ip, "ping", `1 reply from ${ip}`, ping);

    const totals = await step("three requests", async () => {
      const seen: (number | undefined)[] = [];
      for (let i = 0; i < 3; i++)
        seen.push(parseTotalRequests((await httpGet(`http://127.0.0.1:${PORT}/`)).body));
      return seen;
    });
    const counted = totals.every((t) => t !== undefined) && isStrictlyIncreasingByOne(totals as number[]);
    check(counted, "requests", "Total requests up by one each time", JSON.stringify(totals));
    const cli = [
      "--rm",
      "--name",
      "bench-redis-cli",
      "--link",
      LINK,
      images.redis,
      "redis-cli",
      "-h",
      "redis",
    ];
    const keys = await step("redis-cli -h redis KEYS *", () => run([...cli, "KEYS", "*"]));
    check(
      parseKeys(keys).includes("ip") && parseKeys(keys).includes("requests"),
      "keys",
      "ip and requests",
      keys,
    );
    const verifiedMs = now() - start;

    // -v: the redis image declares VOLUME /data; its anonymous volume goes with the container.
    await step("docker rm -f", () => docker(["rm", "-f", "-v", "bench-app", "bench-redis-server"]));
    const cycleMs = now() - start;
    return { upMs, firstOkMs, verifiedMs, downMs: steps["docker rm -f"], cycleMs, steps };
  },
};
