// Where the checks and the `app.url` output reach the published port, from DOCKER_HOST. The cases
// are Docker's documented DOCKER_HOST forms ("Daemon socket option" in dockerd's reference, and the
// docker CLI's environment variables), written out here.
import { publishedHost } from "../../lib/engineHost";

describe("publishedHost", () => {
  it.each([
    [undefined, "localhost"],
    ["", "localhost"],
    ["  ", "localhost"],
    ["unix:///var/run/docker.sock", "localhost"],
    ["unix:///var/tmp/container-links-ci/28/run/docker.sock", "localhost"],
    ["npipe:////./pipe/docker_engine", "localhost"],
    ["fd://", "localhost"],
    ["tcp://", "localhost"],
    ["tcp://:2375", "localhost"],
    ["tcp://192.168.231.11:2375", "192.168.231.11"],
    ["tcp://manager-1.example.com:2376", "manager-1.example.com"],
    ["tcp://10.0.0.5", "10.0.0.5"],
    ["tcp://[2001:db8::1]:2376", "[2001:db8::1]"],
    ["ssh://deploy@manager-1.example.com", "manager-1.example.com"],
    ["ssh://deploy@manager-1.example.com:2222", "manager-1.example.com"],
    ["ssh://manager-1", "manager-1"],
    // A TCP address may carry a base path for the API (dockerd's -H tcp://host:port/path).
    ["tcp://manager-1:2375/tcp://", "manager-1"],
  ])("DOCKER_HOST=%j publishes on %s", (dockerHost, host) => {
    expect(publishedHost(dockerHost)).toBe(host);
  });

  it.each([
    [
      "2tcp://manager:2375",
      'DOCKER_HOST must be unix://, npipe://, fd://, tcp:// or ssh:// followed by an address, got "2tcp://manager:2375"',
    ],
    [
      "http://manager:2375",
      'DOCKER_HOST must be unix://, npipe://, fd://, tcp:// or ssh:// followed by an address, got "http://manager:2375"',
    ],
    [
      "manager:2375",
      'DOCKER_HOST must be unix://, npipe://, fd://, tcp:// or ssh:// followed by an address, got "manager:2375"',
    ],
    ["ssh://", 'DOCKER_HOST "ssh://" names no host: ssh://HOST[:PORT] or ssh://USER@HOST[:PORT]'],
    [
      "ssh://deploy@",
      'DOCKER_HOST "ssh://deploy@" names no host: ssh://HOST[:PORT] or ssh://USER@HOST[:PORT]',
    ],
    ["tcp://user@:2375", 'DOCKER_HOST "tcp://user@:2375" names no host: tcp://HOST[:PORT]'],
  ])("refuses DOCKER_HOST=%j", (dockerHost, message) => {
    expect(() => publishedHost(dockerHost)).toThrow(new Error(message));
  });
});
