// Where the ports the engine publishes can be reached from here: the machine the docker CLI and the
// docker provider talk to, named by DOCKER_HOST (Docker's own formats: docs.docker.com, "Daemon
// socket option" and the CLI's environment variables). A local engine (a unix socket, a Windows named
// pipe, systemd's fd://, or DOCKER_HOST unset) publishes on this machine; a remote one
// (tcp://HOST:PORT, ssh://[USER@]HOST[:PORT]) publishes on HOST, which is where the app's port is.

/** The host name for URLs of ports the engine publishes; `localhost` for a local engine. */
export function publishedHost(dockerHost: string | undefined): string {
  const value = (dockerHost ?? "").trim();
  if (value === "") return "localhost";
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme === "unix" || scheme === "npipe" || scheme === "fd") return "localhost";
  if (scheme !== "tcp" && scheme !== "ssh") {
    throw new Error(
      `DOCKER_HOST must be unix://, npipe://, fd://, tcp:// or ssh:// followed by an address, got "${value}"`,
    );
  }
  // Docker reads a TCP address without a host (tcp://, tcp://:2375) as this machine.
  if (/^tcp:\/\/(:\d*)?\/?$/.test(value)) return "localhost";
  let hostname = "";
  try {
    hostname = new URL(value).hostname;
  } catch {
    // An address URL cannot read (ssh://deploy@) names no host either.
  }
  if (hostname === "") {
    throw new Error(
      `DOCKER_HOST "${value}" names no host: ${scheme}://HOST[:PORT]${scheme === "ssh" ? " or ssh://USER@HOST[:PORT]" : ""}`,
    );
  }
  // IPv6 literals keep their brackets, as a URL needs them.
  return hostname;
}
