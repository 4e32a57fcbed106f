// The README and docs/ name things the repository defines: npm scripts, files and headings, the
// engine script's commands, the scripts' environment variables. These tests hold the pages to them,
// so that a renamed script, a moved section or a dropped variable fails here instead of misleading
// a reader. (docs/config.md's key table is held to Pulumi.yaml in config-schema.test.ts.)
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

const README = "README.md";
const DOCS = fs
  .readdirSync(path.join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const PAGES = [README, ...DOCS];

/** Fenced code blocks hold commands and samples, not links or headings. */
const prose = (markdown: string) => markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

/** Link targets of `[text](target)` outside code blocks. */
const linkTargets = (markdown: string) =>
  [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");

const anchorsOf = (markdown: string) =>
  new Set([...prose(markdown).matchAll(/^#{1,6} +(.+)$/gm)].map((match) => anchor(match[1])));

/** Every `[page, target]` link that leaves the page for a file of this repository, or stays on it. */
const relativeLinks = PAGES.flatMap((page) =>
  linkTargets(read(page))
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => [page, target] as const),
);

describe("links in README.md and docs/", () => {
  test("the pages have relative links to check", () => {
    expect(relativeLinks.length).toBeGreaterThan(20);
  });

  test.each(relativeLinks)("%s: %s leads to a file and heading that exist", (page, target) => {
    const [file, fragment] = target.split("#");
    const resolved = file === "" ? page : path.join(path.dirname(page), file);
    expect(fs.existsSync(path.join(ROOT, resolved))).toBe(true);
    if (fragment !== undefined) {
      expect(resolved).toMatch(/\.md$/);
      expect([...anchorsOf(read(resolved))]).toContain(fragment);
    }
  });

  test("anchors are GitHub's", () => {
    expect(anchor("Limits of the pinned docker provider (5.0.0, kreuzwerker v4.2.0) and Docker 20.10")).toBe(
      "limits-of-the-pinned-docker-provider-500-kreuzwerker-v420-and-docker-2010",
    );
    expect(anchor("`link`")).toBe("link");
    expect(anchor("Pulumi.yaml")).toBe("pulumiyaml");
  });

  test("README.md links every page of docs/", () => {
    const linked = linkTargets(read(README)).map((target) => target.split("#")[0]);
    expect(DOCS.filter((page) => !linked.includes(page))).toEqual([]);
  });
});

describe("what the pages name exists", () => {
  const scripts = Object.keys(JSON.parse(read("package.json")).scripts as Record<string, string>);
  // Where the scripts' environment variables are read: the scripts, the pinned CLI and CI.
  const shellSources = ["scripts", "bin"]
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name))),
    )
    .concat(".ci/run")
    .map(read)
    .join("\n");
  // The engine script's own synopsis, e.g. `usage: scripts/engine.sh setup|start|... [20.10|28|29]`.
  const synopsis = /usage: scripts\/engine\.sh ([a-z|]+) /.exec(read("scripts/engine.sh"));

  test.each(PAGES)("%s: every `npm run` script is in package.json", (page) => {
    const named = [...read(page).matchAll(/\bnpm run ([a-z][\w:-]*)/g)].map((match) => match[1]);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  test.each(PAGES)("%s: every repository path in inline code exists", (page) => {
    const named = [
      ...prose(read(page)).matchAll(
        /`((?:\.ci|app|bench|bin|checks|components|docs|harness|images|lib|scripts|tests|toolchain)\/[^`\s<>*]*)`/g,
      ),
    ].map((match) => match[1]);
    expect(named.filter((file) => !fs.existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  test.each(PAGES)("%s: every CONTAINER_LINKS_* variable is one the scripts read", (page) => {
    const named = [...read(page).matchAll(/\bCONTAINER_LINKS_[A-Z_]+/g)].map((match) => match[0]);
    expect(named.filter((name) => !new RegExp(`\\b${name}\\b`).test(shellSources))).toEqual([]);
  });

  test.each(PAGES)("%s: every scripts/engine.sh command is in its synopsis", (page) => {
    expect(synopsis).not.toBeNull();
    const commands = synopsis![1].split("|");
    const named = [...read(page).matchAll(/scripts\/engine\.sh ([a-z]+)/g)].map((match) => match[1]);
    expect(named.filter((name) => !commands.includes(name))).toEqual([]);
  });
});

describe("README.md", () => {
  const text = read(README);

  test("is at most 150 lines, the quick start and an index; the rest is in docs/", () => {
    expect(text.split("\n").length - 1).toBeLessThanOrEqual(150);
  });

  test("states no dated measurements: they go stale, and bench/results keeps them", () => {
    expect(text).not.toMatch(/\b20\d\d-\d\d-\d\d/);
  });

  test("starts a fresh clone with `npm run up`, then `npm test`", () => {
    const quickStart = text.slice(
      text.indexOf("## Quick start"),
      text.indexOf("\n## ", text.indexOf("## Quick start")),
    );
    expect(quickStart).toMatch(/npm run up[\s\S]*npm test/);
  });
});
