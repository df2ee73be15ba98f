import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, keyRoles, promoteKey, retireKey } from "../../scripts/cli/keys.mjs";
import { KeySetInputError, inputProblem, readKeySet } from "../../scripts/key-set-input.mjs";
import { generateSigningKey } from "../../scripts/signing-keys.mjs";
import { SCRIPTS, runScript } from "./run-script.mjs";

const ROOT = join(SCRIPTS, "..");

const NO_INPUT = "no key set given: pass --file keys.json or pipe the set to standard input";

let dir;
let keysFile;
let set;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-keys-"));
  set = { keys: [await generateSigningKey("ES256"), await generateSigningKey("ES256")] };
  keysFile = join(dir, "keys.json");
  writeFileSync(keysFile, JSON.stringify(set));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = (args, options) => runScript("cli/baton.mjs", ["keys", ...args], { cwd: dir, ...options });

/** Expects one line on standard error, nothing on standard output, and exit code 2. */
async function expectRefusal(args, message, options) {
  expect(await keys(args, options)).toEqual({ code: 2, stdout: "", stderr: `baton: ${message}\n` });
}

describe("baton keys generate", () => {
  it("prints a private ES256 key that signs and an RS256 key beside it by default, with kid, alg and use", async () => {
    const { code, stdout, stderr } = await keys(["generate"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const generated = JSON.parse(stdout);
    expect(generated.keys).toHaveLength(2);
    expect(generated.keys[0]).toMatchObject({ alg: "ES256", kty: "EC", crv: "P-256", use: "sig" });
    expect(generated.keys[1]).toMatchObject({ alg: "RS256", kty: "RSA", use: "sig" });
    expect(typeof generated.keys[0].d).toBe("string");
    expect(generated.keys[0].kid).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
  });

  it("prints one key per algorithm named, in that order", async () => {
    const { stdout } = await keys(["generate", "EdDSA", "RS256"]);
    expect(JSON.parse(stdout).keys.map((key) => [key.alg, key.kty])).toEqual([
      ["EdDSA", "OKP"],
      ["RS256", "RSA"],
    ]);
  });

  it("refuses an algorithm it cannot generate", async () => {
    await expectRefusal(["generate", "ES256", "HS256"], "unsupported algorithm HS256; use one of ES256, EdDSA, RS256");
  });
});

describe("baton keys, every step of a rotation with --file", () => {
  it("adds a published key after the signing one", async () => {
    const { code, stdout } = await keys(["add", "RS256", "--file", "keys.json"]);
    expect(code).toBe(0);
    const next = JSON.parse(stdout);
    expect(next.keys.slice(0, 2)).toEqual(set.keys);
    expect(next.keys[2]).toMatchObject({ alg: "RS256", kty: "RSA", use: "sig" });
  });

  it("adds a key of the signing key's algorithm when none is named", async () => {
    const next = await addKey(set);
    expect(next.keys.map((key) => key.alg)).toEqual(["ES256", "ES256", "ES256"]);
    expect(set.keys).toHaveLength(2);
  });

  it("promotes a key to signing and retires another, reading a set piped in slowly", async () => {
    const [signing, other] = set.keys.map((key) => key.kid);
    const promoted = await keys(["promote", other, "--file", "keys.json"]);
    expect(JSON.parse(promoted.stdout).keys.map((key) => key.kid)).toEqual([other, signing]);
    // A pipe from another command may not have its data ready when the read starts.
    const retired = await keys(["retire", signing], { input: promoted.stdout, inputDelayMs: 200 });
    expect(retired.stderr).toBe("");
    expect(JSON.parse(retired.stdout).keys.map((key) => key.kid)).toEqual([other]);
  });

  it("lists each key's role in a table, and as JSON without any private part", async () => {
    const [signing, other] = set.keys.map((key) => key.kid);
    expect(await keys(["list", "--file", keysFile])).toEqual({
      code: 0,
      stdout: [
        `KID${" ".repeat(signing.length - 1)}ALG    ROLE`,
        `${signing}  ES256  signing, published`,
        `${other}  ES256  published`,
        "",
      ].join("\n"),
      stderr: "",
    });
    expect(JSON.parse((await keys(["list", "--json", "--file", keysFile])).stdout)).toEqual({
      keys: [
        { kid: signing, alg: "ES256", role: "signing, published" },
        { kid: other, alg: "ES256", role: "published" },
      ],
    });
  });

  it("keeps every member of the set beside keys, and never changes the set it was given", () => {
    const withExtra = { ...set, note: "kept" };
    const promoted = promoteKey(withExtra, set.keys[1].kid);
    expect(promoted.note).toBe("kept");
    expect(retireKey(promoted, set.keys[0].kid)).toEqual({ note: "kept", keys: [set.keys[1]] });
    expect(withExtra.keys).toEqual(set.keys);
    expect(keyRoles(set).map((key) => key.role)).toEqual(["signing, published", "published"]);
  });
});

describe("npm run keys and npm run rotate-keys", () => {
  // Typed in `dir`; npm runs the script in the package root and tells it where it was typed.
  const npm = (args) => spawnSync("npm", ["--prefix", ROOT, "run", "-s", ...args], { cwd: dir, encoding: "utf8" });

  it("are baton keys generate and baton keys under their older names", () => {
    const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(packageJson.scripts.keys).toBe("node scripts/cli/baton.mjs keys generate");
    expect(packageJson.scripts["rotate-keys"]).toBe("node scripts/cli/baton.mjs keys");
    expect(packageJson.bin).toEqual({ baton: "scripts/cli/baton.mjs" });
  });

  it("read --file from the directory npm run was called in, not the package root it runs the script in", () => {
    const listed = npm(["rotate-keys", "--", "list", "--file", "keys.json"]);
    expect(listed.stderr).toBe("");
    expect(listed.stdout.split("\n")[1]).toBe(`${set.keys[0].kid}  ES256  signing, published`);
    const generated = npm(["keys", "--", "EdDSA"]);
    expect(JSON.parse(generated.stdout).keys.map((key) => key.alg)).toEqual(["EdDSA"]);
  });
});

describe("baton keys refuses in one line, exit code 2", () => {
  it("a file that does not exist", async () => {
    await expectRefusal(["retire", "kid", "--file", "missing.json"], "missing.json does not exist");
  });

  it("a file that cannot be read", async () => {
    await expectRefusal(["list", "--file", dir], `${dir} cannot be read (EISDIR)`);
  });

  it("a file that is not JSON", async () => {
    writeFileSync(join(dir, "broken.json"), "{");
    await expectRefusal(["list", "--file", "broken.json"], "the input is not a JSON JWK Set");
  });

  it("an algorithm it cannot generate, listing those it can, before reading the set", async () => {
    await expectRefusal(
      ["add", "HS256", "--file", "keys.json"],
      "unsupported algorithm HS256; use one of ES256, EdDSA, RS256",
    );
    await expectRefusal(["add", "HS256"], "unsupported algorithm HS256; use one of ES256, EdDSA, RS256");
  });

  it("--file without a path", async () => {
    await expectRefusal(["list", "--file"], "--file needs a value; usage: baton keys list [flags]");
  });

  it("promote or retire without a kid, and a kid that no key has", async () => {
    await expectRefusal(["retire", "--file", "keys.json"], "missing KID; usage: baton keys retire KID [flags]");
    await expectRefusal(["promote", "nope", "--file", "keys.json"], "no key has that kid");
  });

  it("an argument it does not expect, such as a file named without --file", async () => {
    await expectRefusal(
      ["retire", set.keys[1].kid, "keys.json"],
      "unexpected argument keys.json; usage: baton keys retire KID [flags]",
    );
  });

  it("no step at all, naming the steps", async () => {
    await expectRefusal([], "baton keys needs a command: generate, add, promote, retire, list");
  });

  it("retiring the signing key", async () => {
    await expectRefusal(
      ["retire", set.keys[0].kid, "--file", "keys.json"],
      "that key signs; promote another key first",
    );
  });
});

// util-linux's `script` runs a command on a pseudo-terminal: the one way to give it a terminal
// as standard input here.
const hasScript = spawnSync("script", ["--version"]).status === 0;

describe("readKeySet without --file", () => {
  it.skipIf(!hasScript)("makes baton keys refuse at once when standard input is a terminal", () => {
    const command = `'${process.execPath}' '${join(SCRIPTS, "cli", "baton.mjs")}' keys retire OLD_KID`;
    const result = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(result.stdout.replace(/\r/g, "")).toBe(`baton: ${NO_INPUT}\n`);
  });

  it("refuses at once when standard input is a terminal, instead of waiting on it", () => {
    expect(inputProblem(undefined, true)).toBe(NO_INPUT);
    expect(() => readKeySet(undefined, { stdinIsTTY: true })).toThrow(new KeySetInputError(NO_INPUT));
  });

  it("reads standard input when it is a pipe or a file, and a named file whatever standard input is", () => {
    expect(inputProblem(undefined, false)).toBeUndefined();
    expect(inputProblem("keys.json", true)).toBeUndefined();
    expect(readKeySet(keysFile, { stdinIsTTY: true })).toEqual(set);
  });

  it("refuses a set without keys", () => {
    writeFileSync(join(dir, "empty.json"), '{"keys":[]}');
    expect(() => readKeySet(join(dir, "empty.json"))).toThrow(
      'the input must be {"keys": [...]} with at least one key',
    );
  });
});
