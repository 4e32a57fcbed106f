// Pulumi's floor (floor/): a program that loads the SDKs and makes nothing. Its cycle is what any
// TypeScript Pulumi program of these providers pays here before its first resource.
import * as path from "path";
import { pulumiPath } from "./pulumi";

export const floorPath = pulumiPath({
  id: "floor",
  label: "Pulumi's floor",
  workDir: path.join(__dirname, "floor"),
  prefix: "bench-f-",
  verifies: false,
  config: () => ({}),
});
