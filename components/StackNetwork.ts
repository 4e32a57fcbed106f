import * as pulumi from "@pulumi/pulumi";
import { subnetHost } from "../lib/ipv4";
import { engineObject } from "./engineObject";

export interface StackNetworkArgs {
  /** Network name, e.g. container-links. */
  name: string;
  /** IPv4 subnet (network address and prefix); the gateway is its first host. */
  subnet: string;
  /** `bridge` for plain containers; an attachable `overlay` on a swarm (plain containers join it too). */
  driver: "bridge" | "overlay";
}

// Prints the network's ID, making the network first when it is missing and CREATE is set (never during
// a preview: engineObject.ts). The gateway is the one Docker picks anyway, said outright.
export const ENSURE_NETWORK = [
  "if ! id=$(docker network inspect --format '{{.Id}}' \"$NAME\" 2>/dev/null); then",
  '  [ -n "$CREATE" ] || exit 0',
  '  id=$(docker network create --driver "$DRIVER" --attachable="$ATTACHABLE" --subnet "$SUBNET" --gateway "$GATEWAY" "$NAME") || exit 1',
  "fi",
  'echo "$id"',
].join("\n");

// Removes the network, unless another one has its name by now (it was made again since: its new
// owner has it). On a swarm the last task's endpoint, or the network attachment of a container
// removed a moment ago, may still be going: a bounded retry.
export const REMOVE_NETWORK = [
  "current=$(docker network inspect --format '{{.Id}}' \"$NAME\" 2>/dev/null) || exit 0",
  '[ "$current" = "$PULUMI_COMMAND_STDOUT" ] || exit 0',
  "for attempt in $(seq 30); do",
  '  out=$(docker network rm "$NAME" 2>&1 >/dev/null) && exit 0',
  '  case "$out" in *"not found"* | *"No such network"*) exit 0 ;; *"active endpoints"* | *"in use by task"*) sleep 1 ;; *) break ;; esac',
  "done",
  'echo "could not remove network $NAME: $out" >&2',
  "exit 1",
].join("\n");

/**
 * The stack's own network, made and removed by the docker CLI: the Terraform provider behind
 * docker.Network waits a fixed 2 s after making a network, before each read (so on every refresh)
 * and before it checks one is gone, and the official plugin does the same. Made on an update when
 * missing (removed by hand too: what used it is replaced through its new ID), never by a preview;
 * it goes with the stack, and a change of name, subnet or driver replaces it.
 */
export class StackNetwork extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  /** The network's ID: it changes when the network is made again. */
  readonly id: pulumi.Output<string>;

  constructor(name: string, args: StackNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:network:StackNetwork", name, {}, opts);
    const environment = {
      NAME: args.name,
      DRIVER: args.driver,
      ATTACHABLE: String(args.driver === "overlay"),
      SUBNET: args.subnet,
      GATEWAY: subnetHost(args.subnet, 1),
    };
    const id = engineObject(
      name,
      {
        ensure: ENSURE_NETWORK,
        remove: REMOVE_NETWORK,
        environment,
        identity: [args.name, args.subnet, args.driver],
      },
      // A fixed name: the old network must go before its replacement can take it.
      { parent: this, deleteBeforeReplace: true },
    );
    // Through the owner, so that what joins the network by name waits until it is there.
    this.name = id.apply(() => args.name);
    this.id = id;
    this.registerOutputs({ name: this.name, id: this.id });
  }
}
