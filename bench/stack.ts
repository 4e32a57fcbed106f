// The stack path: this repository's program on a throwaway stack, with its own names (bench-s-*),
// port and subnet, and the app image the other paths run, so nothing is built while it is timed.
import { docker, REPO_ROOT } from "../harness";
import { pulumiPath } from "./pulumi";

const PREFIX = "bench-s-";

export const stackPath = pulumiPath({
  id: "stack",
  label: "stack",
  workDir: REPO_ROOT,
  prefix: PREFIX,
  port: 3172,
  verifies: true,
  config: (images) => ({
    redisName: `${PREFIX}redis-server`,
    appName: `${PREFIX}counter-app`,
    cliName: `${PREFIX}redis-cli`,
    probeName: `${PREFIX}link-probe`,
    networkName: `${PREFIX}net`,
    dataVolume: `${PREFIX}redis-data`,
    networkSubnet: "172.31.250.0/24",
    appPort: "3172",
    appImage: images.app,
  }),
  // destroy keeps the data volume (retainData's default), as `npm run down` does.
  afterDestroy: () => docker(["volume", "rm", `${PREFIX}redis-data`]).then(() => undefined),
});
