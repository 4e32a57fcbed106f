// The revisions the checks re-run on, read off resources whose state is written out here: a
// container's is its id and its addresses, a service's a short digest of its ID and spec. The digest
// expected is computed here from the JSON text written out by hand, with node's crypto.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { containerRevision, serviceRevision } from "../../components/revision";
import { PROJECT, resolved } from "./mocks";

// Every resource gets `<name>-id` and its inputs back as its state: nothing the engine would add.
beforeAll(() =>
  pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => {
        throw new Error(`no mock for invoke ${args.token}`);
      },
    },
    PROJECT,
    "unit",
    false,
  ),
);

test("a container the engine reports on no network: its id alone", async () => {
  const container = new docker.Container("lone", { image: "img" });
  expect(await resolved(pulumi, containerRevision(container))).toBe("lone-id");
});

test("services: the first 16 hex digits of the SHA-256 of their IDs and specs as JSON, in the order given", async () => {
  const redis = new docker.Service("redis", {
    taskSpec: { containerSpec: { image: "redis:unit" } },
    mode: { replicated: { replicas: 1 } },
    endpointSpec: { mode: "dnsrr" },
  });
  // No mode and no endpoint spec: JSON's null.
  const app = new docker.Service("app", { taskSpec: { containerSpec: { image: "app:unit" } } });
  const json =
    '[["redis-id",{"containerSpec":{"image":"redis:unit"}},{"replicated":{"replicas":1}},{"mode":"dnsrr"}],' +
    '["app-id",{"containerSpec":{"image":"app:unit"}},null,null]]';
  const digest = crypto.createHash("sha256").update(json).digest("hex");
  expect(await resolved(pulumi, serviceRevision(redis, app))).toBe(digest.slice(0, 16));
});
