import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { ContainerRef } from "../checks/types";
import {
  hostsEntry,
  hostsLine,
  Link,
  LinkMode,
  LinkSource,
  linkEnv,
  linkEnvMap,
  mergeEnv,
} from "../lib/links";
import { containerRevision } from "./revision";

/** `--link <source>:<alias>`, and how the stack provides it. */
export interface LinkArgs {
  /** What the link is made from: the source's name, id, hostname, address, ports and env. */
  source: pulumi.Input<LinkSource>;
  /** The name the linked container reaches the source by, e.g. `redis`. */
  alias: string;
  /** `legacy`: the link's env vars and hosts line, computed here; `network`: the source's alias on `network`. */
  mode: LinkMode;
  /** The network the source is reachable on (the stack's own): its ID. */
  network: pulumi.Input<string>;
}

/** What the `link` stack output shows of a link. */
export interface LinkOutputs {
  mode: LinkMode;
  alias: string;
  /** The link variables by name; empty when there are none. */
  env: pulumi.Input<Record<string, string>>;
  /** The /etc/hosts lines the link added; empty when there are none. */
  hosts: pulumi.Input<string[]>;
  note?: string;
}

/** A file placed in the container before it starts (not a mount; not shown by `docker inspect`). */
export interface ContainerFile {
  /** Absolute path inside the container. */
  path: string;
  content: pulumi.Input<string>;
}

export interface LinkedContainerArgs {
  /** Container name; also the parent in `<ALIAS>_NAME=/<name>/<alias>`. */
  name: string;
  image: pulumi.Input<string>;
  link: LinkArgs;
  command?: pulumi.Input<string>[];
  /** The container's own env ("KEY=value"); it wins over link variables of the same name. */
  envs?: string[];
  /** Host port → container port mappings. */
  ports?: { internal: number; external: number }[];
  /** Files (e.g. a password) written into the container before it starts; a change replaces it. */
  files?: ContainerFile[];
  /** Keep a TTY and stdin open, for `docker attach`. */
  interactive?: boolean;
  /** Run docker-init as PID 1, for commands that do not handle SIGTERM themselves. */
  init?: boolean;
}

/**
 * A container linked to a source container under an alias, as `docker run --link <source>:<alias>`
 * would make it. @pulumi/docker has no `links` argument (and Docker 29+ no longer injects link env
 * vars), so in legacy mode the link is computed by lib/links.ts and applied as env vars and an
 * /etc/hosts entry; in network mode the alias is a DNS name on the stack's network.
 */
export class LinkedContainer extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** The container by name and id, as the checks look for it. */
  readonly ref: pulumi.Output<ContainerRef>;
  /** Changes when the container is replaced or comes back on another address. */
  readonly revision: pulumi.Output<string>;
  /** This container's link, for the `link` stack output. */
  readonly linkOutputs: LinkOutputs;

  constructor(name: string, args: LinkedContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:link:LinkedContainer", name, {}, opts);
    const { link } = args;
    const legacy = link.mode === "legacy";
    const linkTo = pulumi
      .output(link.source)
      .apply((source): Link => ({ source, alias: link.alias, parentName: args.name }));
    const linkVars = legacy ? linkTo.apply(linkEnv) : pulumi.output<string[]>([]);
    const line = legacy ? linkTo.apply(hostsLine) : undefined;

    this.container = new docker.Container(
      name,
      {
        name: args.name,
        image: args.image,
        command: args.command,
        // The provider keeps env as a set, so the order inside the container may differ from Docker's.
        envs: linkVars.apply((vars) => mergeEnv(vars, args.envs ?? [])),
        // One extra-hosts entry holding all names, which Docker writes as one line, exactly the
        // line `--link` writes: "<ip>\t<alias> <hostname> <name>".
        hosts: legacy
          ? linkTo.apply(hostsEntry).apply(({ ip, names }) => [{ host: names.join(" "), ip }])
          : [],
        networksAdvanced: [{ name: link.network }],
        // The link as `docker inspect` shows it (`redis-server:redis`, as --link writes it). Taken from
        // the source in both modes, so the container always depends on it: Pulumi then replaces the
        // two in the right order when the link mode changes (a dependency that comes and goes with
        // the mode makes it create the new container before the old one is gone).
        labels: [
          { label: "container-links.link", value: linkTo.apply((l) => `${l.source.name}:${l.alias}`) },
        ],
        ports: args.ports,
        uploads: args.files?.map((file) => ({ file: file.path, content: file.content })),
        tty: args.interactive,
        stdinOpen: args.interactive,
        init: args.init,
        restart: "unless-stopped",
        securityOpts: ["no-new-privileges:true"],
        destroyGraceSeconds: 5,
      },
      // A fixed name (and, for the app, a fixed host port): the old container must go first.
      { parent: this, deleteBeforeReplace: true },
    );

    this.ref = pulumi
      .all([this.container.name, this.container.id])
      .apply(([container, id]) => ({ container, id }));
    this.revision = containerRevision(this.container);
    this.linkOutputs = {
      mode: link.mode,
      alias: link.alias,
      env: legacy ? linkTo.apply(linkEnvMap) : {},
      hosts: line ? line.apply((l) => [l]) : [],
    };
    this.registerOutputs({ ref: this.ref, revision: this.revision });
  }
}
