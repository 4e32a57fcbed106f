import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { LinkMode } from "../lib/config";
import { hostsEntry, hostsLine, LinkSource, linkEnv, linkEnvMap, mergeEnv } from "../lib/links";

/** `--link <source>:<alias>`, and which way the stack provides it. */
export interface LinkArgs {
  source: pulumi.Input<LinkSource>;
  alias: string;
  mode: LinkMode;
  /** The network the source is reachable on (the stack's own). */
  network: pulumi.Input<string>;
}

/** What the `link` stack output shows of a link. */
export interface LinkOutputs {
  mode: string;
  alias: string;
  /** The link variables by name; empty when there are none (network mode). */
  env: pulumi.Input<Record<string, string>>;
  /** The /etc/hosts lines the link added; empty when there are none. */
  hosts: pulumi.Input<string[]>;
  note?: string;
}

export interface LinkedContainerArgs {
  /** Container name; also the parent in `<ALIAS>_NAME=/<name>/<alias>`. */
  name: string;
  image: pulumi.Input<string>;
  link: LinkArgs;
  command?: pulumi.Input<pulumi.Input<string>[]>;
  /** The container's own env ("KEY=value"); it wins over link variables of the same name. */
  envs?: pulumi.Input<pulumi.Input<string>[]>;
  ports?: docker.types.input.ContainerPort[];
  healthcheck?: docker.types.input.ContainerHealthcheck;
  tty?: boolean;
  stdinOpen?: boolean;
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
  /** The link variables this container got ("KEY=value"; the provider keeps env as a set, so the
   * order inside the container may differ from Docker's); empty in network mode. */
  readonly linkEnv: pulumi.Output<string[]>;
  /** {@link linkEnv} as an object, for the stack outputs. */
  readonly linkEnvMap: pulumi.Output<Record<string, string>>;
  /** The /etc/hosts line the link added (`<ip>\t<names>`); undefined in network mode. */
  readonly hostsLine: pulumi.Output<string | undefined>;
  /** This container's link, for the `link` stack output. */
  readonly linkOutputs: LinkOutputs;

  constructor(name: string, args: LinkedContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("container-links:link:LinkedContainer", name, {}, opts);
    const { link } = args;
    const legacy = link.mode === "legacy";
    const linkFor = (source: LinkSource) => ({ source, alias: link.alias, parentName: args.name });

    const source = pulumi.output(link.source);
    this.linkEnv = legacy ? source.apply((s) => linkEnv(linkFor(s))) : pulumi.output([]);
    this.linkEnvMap = legacy
      ? source.apply((s) => linkEnvMap(linkFor(s)))
      : pulumi.output<Record<string, string>>({});
    this.hostsLine = legacy ? source.apply((s) => hostsLine(linkFor(s))) : pulumi.output(undefined);
    this.linkOutputs = {
      mode: link.mode,
      alias: link.alias,
      env: this.linkEnvMap,
      hosts: this.hostsLine.apply((line) => (line === undefined ? [] : [line])),
    };

    this.container = new docker.Container(
      name,
      {
        name: args.name,
        image: args.image,
        command: args.command,
        // In network mode nothing here depends on the source, so replacing it leaves this be.
        envs: legacy
          ? pulumi
              .all([this.linkEnv, pulumi.output(args.envs ?? [])])
              .apply(([vars, own]) => mergeEnv(vars, own))
          : args.envs,
        // One extra-hosts entry holding all names, which Docker writes as one line, exactly the
        // line `--link` writes: "<ip>\t<alias> <hostname> <name>".
        hosts: legacy
          ? source.apply((s) => {
              const { ip, names } = hostsEntry(linkFor(s));
              return [{ host: names.join(" "), ip }];
            })
          : [],
        networksAdvanced: [{ name: link.network }],
        ports: args.ports,
        healthcheck: args.healthcheck,
        tty: args.tty,
        stdinOpen: args.stdinOpen,
        init: args.init,
        restart: "unless-stopped",
        securityOpts: ["no-new-privileges:true"],
        destroyGraceSeconds: 5,
      },
      // A fixed name (and, for the app, a fixed host port): the old container must go first.
      { parent: this, deleteBeforeReplace: true },
    );

    this.registerOutputs({ linkEnv: this.linkEnv, hostsLine: this.hostsLine });
  }
}
