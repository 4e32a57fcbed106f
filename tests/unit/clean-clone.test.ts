// A newcomer's clone stays clean: the encryptionsalt line the first `pulumi up` appends to the
// tracked Pulumi.dev.yaml (making the dev stack writes it) is not a change git shows, while a setting the user changes still is.
// Played in a scratch repository holding the project's own Pulumi.dev.yaml and .gitattributes, set
// up the way scripts/bootstrap.sh does it (ignore_stack_salt in scripts/lib.sh).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
// The line Pulumi's passphrase provider writes (its format: v1:<salt>:v1:<nonce>:<ciphertext>).
const SALT_LINE = "encryptionsalt: v1:G8BS85dI4S8=:v1:O0C/DghkhkWKb+t1:1jGe/4PAKf/ECS6xNHGfxzqG/xO0rQ==\n";

let repo: string;
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
const status = () => git("status", "--porcelain").trim();
const append = (text: string) => fs.appendFileSync(path.join(repo, "Pulumi.dev.yaml"), text);

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "clean-clone-"));
  git("init", "--quiet");
  // The files as a clone gets them: as git has them, not as this checkout's first up left them.
  for (const file of ["Pulumi.dev.yaml", ".gitattributes"]) {
    const tracked = execFileSync("git", ["-C", ROOT, "show", `:${file}`], { encoding: "utf8" });
    fs.writeFileSync(path.join(repo, file), tracked);
  }
  git("add", ".");
  git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "--quiet", "-m", "clone");
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

const bootstrapSetup = () =>
  execFileSync("bash", ["-c", 'source "$1/scripts/lib.sh" && ignore_stack_salt "$2"', "setup", ROOT, repo]);

test("after the bootstrap's setup, the salt that making the stack wrote is no change", () => {
  append(SALT_LINE);
  bootstrapSetup();
  expect(status()).toBe("");
  // What git would commit has no salt in it.
  git("add", "Pulumi.dev.yaml");
  expect(git("show", ":Pulumi.dev.yaml")).not.toMatch(/^encryptionsalt:/m);
});

test("without it, git shows the salt as a change (what a clone without the bootstrap sees)", () => {
  append(SALT_LINE);
  expect(status()).toBe("M Pulumi.dev.yaml");
});

test("a setting the user changes is still a change", () => {
  append(SALT_LINE);
  bootstrapSetup();
  append('  container-links:appPort: "3001"\n');
  expect(status()).toBe("M Pulumi.dev.yaml");
});
