// A policy pack for stacks like this one: `./bin/pulumi preview --policy-pack policy` (or `up`) checks
// every container and service before anything is made, and stops the update on a violation.
//   redis-port-not-published  Redis's port (6379) is never published on the host: a data store
//                             reachable from outside the machine, password or not.
//   restart-policy            every long-running container restarts after a crash or an engine
//                             restart (`restart` other than "no"), as the stack's own do.
import * as docker from "@pulumi/docker";
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";

/** Redis's port inside its container. */
const REDIS_PORT = 6379;

new PolicyPack("container-links", {
  policies: [
    {
      name: "redis-port-not-published",
      description: "Redis's port 6379 must not be published on the host.",
      enforcementLevel: "mandatory",
      validateResource: [
        validateResourceOfType(docker.Container, (container, args, reportViolation) => {
          for (const port of container.ports ?? []) {
            if (port.internal === REDIS_PORT) {
              reportViolation(
                `container ${container.name ?? args.name} publishes Redis's port ${REDIS_PORT} on the host ` +
                  `(${port.ip ?? "0.0.0.0"}:${port.external ?? "any"}): anyone who reaches the host reaches the data store. ` +
                  "Reach Redis over the stack's network instead.",
              );
            }
          }
        }),
        validateResourceOfType(docker.Service, (service, args, reportViolation) => {
          for (const port of service.endpointSpec?.ports ?? []) {
            if (port.targetPort === REDIS_PORT) {
              reportViolation(
                `service ${service.name ?? args.name} publishes Redis's port ${REDIS_PORT} ` +
                  `(${port.publishMode ?? "ingress"} mode, port ${port.publishedPort ?? "any"}): ` +
                  "anyone who reaches a node reaches the data store. Reach Redis over the overlay instead.",
              );
            }
          }
        }),
      ],
    },
    {
      name: "restart-policy",
      description: "Every long-running container has a restart policy.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        // A container removed when it stops, or not kept running, is a one-off task.
        if (container.rm === true || container.mustRun === false) return;
        if (container.restart === undefined || container.restart === "no") {
          reportViolation(
            `container ${container.name ?? args.name} has no restart policy (restart: ${container.restart ?? "unset"}): ` +
              'it stays down after a crash or an engine restart. Set restart: "unless-stopped".',
          );
        }
      }),
    },
  ],
});
