// The tutorial written plainly in Pulumi (plain/): the same images and app image as the other
// paths, its own names (bench-p-*) and port. Its commands run the tutorial's checks but compare
// nothing, so its up does not count as verified.
import * as path from "path";
import { pulumiPath } from "./pulumi";

const PREFIX = "bench-p-";

export const plainPath = pulumiPath({
  id: "plain",
  label: "plain Pulumi",
  workDir: path.join(__dirname, "plain"),
  prefix: PREFIX,
  port: 3175,
  verifies: false,
  config: (images) => ({
    prefix: PREFIX,
    port: "3175",
    redisImage: images.redis,
    probeImage: images.probe,
    appImage: images.app,
  }),
});
