import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { StackConfig } from "../lib/config";

export const APP_DIR = path.join(__dirname, "..", "app");

/**
 * `docker build` of app/ with the classic builder, which uses local base images as they are (no
 * registry needed); its stdout is the image ID, which both targets run. The tag carries a hash of the
 * sources, so an edit rebuilds and a no-op `up` does nothing. Delete removes the tag, waiting a little
 * while containers still use the image (a swarm removes a deleted service's containers only after
 * the service is gone, and keeps stopped ones of replaced tasks); it never fails the update.
 */
export function buildAppImage(name: string, config: StackConfig, opts: pulumi.CustomResourceOptions) {
  const hash = appSourceHash(APP_DIR);
  const tag = `container-links/${config.appName.toLowerCase()}:${hash}`;
  return new command.local.Command(
    name,
    {
      create: `DOCKER_BUILDKIT=0 docker build --quiet --build-arg NODE_IMAGE="$NODE_IMAGE" --tag "$TAG" "$CONTEXT"`,
      // A swarm keeps the stopped containers of replaced tasks (its task history), and those still
      // use the image: they are this stack's own, so they go first.
      delete: [
        "for attempt in $(seq 20); do",
        '  docker container prune --force --filter "label=com.docker.swarm.service.name=$SERVICE" >/dev/null 2>&1',
        '  out=$(docker image rm "$TAG" 2>&1 >/dev/null) && exit 0',
        '  case "$out" in *"No such image"*) exit 0 ;; *conflict*) sleep 1 ;; *) break ;; esac',
        "done",
        'echo "warning: could not remove image $TAG: $out" >&2',
      ].join("\n"),
      environment: { NODE_IMAGE: config.nodeImage, TAG: tag, CONTEXT: APP_DIR, SERVICE: config.appName },
      triggers: [hash, config.nodeImage],
      logging: "stderr",
    },
    opts,
  );
}

/**
 * A short hash of what goes into the app image: the Dockerfile, its ignore file, the package
 * manifests (which pin node_modules) and the app's own .js files (not its tests).
 */
export function appSourceHash(dir: string): string {
  const files = fs
    .readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith(".js") || ["Dockerfile", ".dockerignore", "package.json", "package-lock.json"].includes(f),
    )
    .sort();
  const hash = crypto.createHash("sha256");
  for (const file of files) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(dir, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}
