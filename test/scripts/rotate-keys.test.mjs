import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeySetInputError, inputProblem, readKeySet } from "../../scripts/key-set-input.mjs";
import { generateSigningKey } from "../../scripts/signing-keys.mjs";
import { SCRIPTS, runScript } from "./run-script.mjs";

const ROOT = join(SCRIPTS, "..");

const NO_INPUT = "no key set given: pass --file keys.json or pipe the set to standard input";

let dir;
let keysFile;
let set;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-rotate-"));
  set = { keys: [await generateSigningKey("ES256"), await generateSigningKey("ES256")] };
  keysFile = join(dir, "keys.json");
  writeFileSync(keysFile, JSON.stringify(set));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rotate = (args, options) => runScript("rotate-keys.mjs", args, { cwd: dir, ...options });

/** Expects one line on standard error, nothing on standard output, and exit code 2. */
async function expectRefusal(args, message, options) {
  expect(await rotate(args, options)).toEqual({ code: 2, stdout: "", stderr: `rotate-keys: ${message}\n` });
}

describe("npm run rotate-keys, every step with --file", () => {
  it("adds a published key after the signing one", async () => {
    const { code, stdout } = await rotate(["add", "RS256", "--file", "keys.json"]);
    expect(code).toBe(0);
    const next = JSON.parse(stdout);
    expect(next.keys.slice(0, 2)).toEqual(set.keys);
    expect(next.keys[2]).toMatchObject({ alg: "RS256", kty: "RSA", use: "sig" });
  });

  it("promotes a key to signing and retires another, reading a set piped in slowly", async () => {
    const [signing, other] = set.keys.map((key) => key.kid);
    const promoted = await rotate(["promote", other, "--file", "keys.json"]);
    expect(JSON.parse(promoted.stdout).keys.map((key) => key.kid)).toEqual([other, signing]);
    // A pipe from another command may not have its data ready when the read starts.
    const retired = await rotate(["retire", signing], { input: promoted.stdout, inputDelayMs: 200 });
    expect(retired.stderr).toBe("");
    expect(JSON.parse(retired.stdout).keys.map((key) => key.kid)).toEqual([other]);
  });

  it("reads --file from the directory npm run was called in, not the package root it runs the script in", async () => {
    const { code, stdout } = await rotate(["list", "--file", "keys.json"], { cwd: ROOT, env: { INIT_CWD: dir } });
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe(`${set.keys[0].kid}\tES256\tsigning, published`);
  });

  it("lists each key's role", async () => {
    const [signing, other] = set.keys.map((key) => key.kid);
    expect(await rotate(["list", "--file", keysFile])).toEqual({
      code: 0,
      stdout: `${signing}\tES256\tsigning, published\n${other}\tES256\tpublished\n`,
      stderr: "",
    });
  });
});

describe("npm run rotate-keys refuses in one line, exit code 2", () => {
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

  it("an algorithm it cannot generate, listing those it can", async () => {
    await expectRefusal(
      ["add", "HS256", "--file", "keys.json"],
      "unsupported algorithm HS256; use one of ES256, EdDSA, RS256",
    );
    await expectRefusal(["add", "HS256"], "unsupported algorithm HS256; use one of ES256, EdDSA, RS256");
  });

  it("--file without a path", async () => {
    await expectRefusal(["list", "--file"], "--file needs a path");
  });

  it("promote or retire without a kid, and a kid that no key has", async () => {
    const usage = (await rotate([])).stderr.replace(/^rotate-keys: /, "").trimEnd();
    expect(usage).toMatch(/^usage: rotate-keys add \[ES256\|EdDSA\|RS256\] \| promote KID \| retire KID \| list /);
    await expectRefusal(["retire", "--file", "keys.json"], `retire needs a KID; ${usage}`);
    await expectRefusal(["promote", "nope", "--file", "keys.json"], "no key has that kid");
  });

  it("an argument it does not expect, such as a file named without --file", async () => {
    const usage = (await rotate([])).stderr.replace(/^rotate-keys: /, "").trimEnd();
    await expectRefusal(["retire", set.keys[1].kid, "keys.json"], `unexpected argument keys.json; ${usage}`);
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
  it.skipIf(!hasScript)("makes rotate-keys refuse at once when standard input is a terminal", () => {
    const command = `'${process.execPath}' '${join(SCRIPTS, "rotate-keys.mjs")}' retire OLD_KID`;
    const result = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(result.stdout.replace(/\r/g, "")).toBe(`rotate-keys: ${NO_INPUT}\n`);
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
