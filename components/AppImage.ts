import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { engineObject } from "./engineObject";

/** The counter app's sources: app/ at the repository root. */
export const APP_DIR = path.join(__dirname, "..", "app");

export interface AppImageArgs {
  /** The app's name (container or service); the image is `container-links/<name>:<hash of app/ and nodeImage>`. */
  appName: string;
  /** The Node.js base image the app is built on (a local image is used as it is). */
  nodeImage: string;
}

// Prints the tag's image ID, building it first when it is missing and CREATE is set (never during a
// preview: engineObject.ts). The bench builds its app image with it too. Environment: TAG,
// NODE_IMAGE, CONTEXT (app/), CREATE. BuildKit where the docker CLI has buildx; the classic builder
// (deprecated since Engine 23, and by Engine 29) only where it has not, as with bookworm's 20.10 CLI.
export const ENSURE_APP_IMAGE = [
  'if ! docker image inspect "$TAG" >/dev/null 2>&1; then',
  '  [ -n "$CREATE" ] || exit 0',
  "  if docker buildx version >/dev/null 2>&1; then",
  '    docker buildx build --load --quiet --build-arg NODE_IMAGE="$NODE_IMAGE" --tag "$TAG" "$CONTEXT" >/dev/null || exit 1',
  "  else",
  '    DOCKER_BUILDKIT=0 docker build --quiet --build-arg NODE_IMAGE="$NODE_IMAGE" --tag "$TAG" "$CONTEXT" >/dev/null || exit 1',
  "  fi",
  "fi",
  "docker image inspect --format '{{.Id}}' \"$TAG\"",
].join("\n");

// Removes the tag, unless it has moved to another image since (a rebuild of the same sources: the
// new owner has it now). PULUMI_COMMAND_STDOUT is the ID this owner printed. A swarm keeps the
// stopped task containers of replaced tasks (its task history), and those still use the image: they
// are this stack's own, so they go first. Never fails the update.
export const REMOVE_APP_IMAGE = [
  "owned=$(docker image inspect --format '{{.Id}}' \"$TAG\" 2>/dev/null) || exit 0",
  '[ "$owned" = "$PULUMI_COMMAND_STDOUT" ] || exit 0',
  "for attempt in $(seq 20); do",
  '  docker container prune --force --filter "label=com.docker.swarm.service.name=$SERVICE" >/dev/null 2>&1',
  '  out=$(docker image rm "$TAG" 2>&1 >/dev/null) && exit 0',
  '  case "$out" in *"No such image"*) exit 0 ;; *conflict*) sleep 1 ;; *) break ;; esac',
  "done",
  'echo "warning: could not remove image $TAG: $out" >&2',
].join("\n");

/**
 * The app's image, built from app/ by `docker build` (BuildKit or the classic builder, as the CLI
 * has them), which uses a local base image as it is (no registry needed). The tag carries a hash of
 * the sources, so an edit builds a new image and an unchanged app is left alone. Built on an update
 * when missing (removed by hand too), never by a preview, and owned by the stack: it goes with it.
 */
export class AppImage extends pulumi.ComponentResource {
  /** The image's ID (`sha256:...`), which the app runs. */
  readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:app:AppImage", name, {}, opts);
    const tag = appImageTag(args.appName, args.nodeImage);
    const environment = { TAG: tag, NODE_IMAGE: args.nodeImage, CONTEXT: APP_DIR, SERVICE: args.appName };

    this.imageId = engineObject(
      name,
      { ensure: ENSURE_APP_IMAGE, remove: REMOVE_APP_IMAGE, environment, identity: [tag] },
      { parent: this },
    );
    this.registerOutputs({ imageId: this.imageId });
  }
}

/**
 * The app image's tag: `container-links/<app name>:<hash>`, the hash naming what it is built from
 * (app/'s sources and the base image), so that changing either builds a new image.
 */
export function appImageTag(appName: string, nodeImage: string): string {
  const built = crypto
    .createHash("sha256")
    .update(`${appSourceHash(APP_DIR)}\0${nodeImage}`)
    .digest("hex");
  return `container-links/${appName.toLowerCase()}:${built.slice(0, 12)}`;
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
