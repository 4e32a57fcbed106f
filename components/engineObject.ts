import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

/** Something the stack makes on the engine with the docker CLI: a network, an image. */
export interface EngineObjectArgs {
  /**
   * A script that prints the object's ID. When the object is missing it makes it first, but only
   * when `$CREATE` is set; without it, it prints nothing and exits 0 (a preview only looks).
   */
  ensure: string;
  /**
   * A script that removes the object, given the ID this owner printed as `$PULUMI_COMMAND_STDOUT`;
   * it leaves an object that has been made again since (the name has a new owner by then).
   */
  remove: string;
  /** The scripts' environment (what to make: name, tag, ...). `CREATE` is set here. */
  environment: Record<string, string>;
  /** What the object is made from: when one of them changes, a new object replaces the old. */
  identity: string[];
}

/**
 * Makes sure of an engine object on every update and owns it, so that it goes with the stack.
 *
 * Looking comes first, on every preview and update (an invoke): during an update it makes the
 * object when it is missing (removed by hand, say), during a preview it only looks, so a preview
 * changes nothing on the engine. The ID it finds is one of the owner's triggers: an object made
 * again has a new ID, so its owner is replaced, and whatever uses the object through the owner's ID
 * is replaced with it. The owner is a command resource whose create prints the ID (making the
 * object if the look did not) and whose delete removes it.
 *
 * Returns the object's ID, as the owner printed it.
 */
export function engineObject(
  name: string,
  args: EngineObjectArgs,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const looked = command.local.runOutput(
    {
      command: args.ensure,
      environment: { ...args.environment, CREATE: pulumi.runtime.isDryRun() ? "" : "yes" },
      logging: "stderr",
    },
    { parent: opts.parent },
  );
  const owner = new command.local.Command(
    name,
    {
      create: args.ensure,
      delete: args.remove,
      environment: { ...args.environment, CREATE: "yes" },
      triggers: [...args.identity, looked.stdout],
      logging: "stderr",
    },
    opts,
  );
  return owner.stdout;
}
