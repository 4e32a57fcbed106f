// Placeholder until the config split lands: IPv4 arithmetic moves here.
export { subnetHost } from "./config";
