import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { definedNames, ensureDevVars, readSetting } from "../../scripts/dev-vars.mjs";

/** The settings of a dotenv text, with SIGNING_KEYS's single quotes taken off. */
function settingsOf(text) {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).replace(/^'(.*)'$/, "$1")]),
  );
}

let dir;
let path;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "baton-dev-vars-"));
  path = join(dir, ".dev.vars");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("ensureDevVars on a first run", () => {
  it("writes signing keys, a token secret, an admin token and the development login, readable by its owner only", async () => {
    expect(await ensureDevVars(path)).toEqual({
      created: true,
      added: ["SIGNING_KEYS", "TOKEN_SECRETS", "ADMIN_TOKEN", "DEV_LOGIN"],
    });
    const settings = settingsOf(readFileSync(path, "utf8"));
    expect(Object.keys(settings)).toEqual(["SIGNING_KEYS", "TOKEN_SECRETS", "ADMIN_TOKEN", "DEV_LOGIN"]);
    expect(settings.DEV_LOGIN).toBe("true");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("makes the first signing key ES256 and publishes an RS256 key second, both private and with their own kid", async () => {
    await ensureDevVars(path);
    const { keys } = JSON.parse(settingsOf(readFileSync(path, "utf8")).SIGNING_KEYS);
    expect(keys.map((key) => [key.alg, key.kty, key.use])).toEqual([
      ["ES256", "EC", "sig"],
      ["RS256", "RSA", "sig"],
    ]);
    expect(keys.every((key) => typeof key.d === "string" && typeof key.kid === "string")).toBe(true);
    expect(keys[0].kid).not.toBe(keys[1].kid);
  });

  it("makes TOKEN_SECRETS 32 random bytes in base64url and ADMIN_TOKEN at least 32 characters", async () => {
    await ensureDevVars(path);
    const settings = settingsOf(readFileSync(path, "utf8"));
    expect(settings.TOKEN_SECRETS).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(settings.TOKEN_SECRETS, "base64url")).toHaveLength(32);
    expect(settings.ADMIN_TOKEN.length).toBeGreaterThanOrEqual(32);
    expect(settings.ADMIN_TOKEN).not.toBe(settings.TOKEN_SECRETS);
  });
});

describe("ensureDevVars on an existing file", () => {
  const olderFile = [
    "# my settings",
    `SIGNING_KEYS='{"keys":[]}'`,
    "ADMIN_TOKEN=mine-mine-mine-mine-mine-mine-mine",
    "DEV_LOGIN=false",
    "LOGIN_URL=http://localhost:3000/login",
    "",
  ].join("\n");

  it("appends only TOKEN_SECRETS to a file without it, keeping every byte before it and the file's mode", async () => {
    writeFileSync(path, olderFile);
    chmodSync(path, 0o640);
    expect(await ensureDevVars(path)).toEqual({ created: false, added: ["TOKEN_SECRETS"] });
    const text = readFileSync(path, "utf8");
    expect(text.startsWith(olderFile)).toBe(true);
    expect(text.slice(olderFile.length)).toMatch(/^TOKEN_SECRETS=[A-Za-z0-9_-]{43}\n$/);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("starts the appended line on a line of its own when the file does not end with a newline", async () => {
    writeFileSync(path, olderFile.trimEnd());
    await ensureDevVars(path);
    const text = readFileSync(path, "utf8");
    expect(text.startsWith(`${olderFile.trimEnd()}\nTOKEN_SECRETS=`)).toBe(true);
    expect(settingsOf(text).LOGIN_URL).toBe("http://localhost:3000/login");
  });

  it("changes nothing in a file that has every setting, even an empty one", async () => {
    const complete = `${olderFile}TOKEN_SECRETS=\n`;
    writeFileSync(path, complete);
    expect(await ensureDevVars(path)).toEqual({ created: false, added: [] });
    expect(readFileSync(path, "utf8")).toBe(complete);
  });

  it("leaves a file it wrote itself as it is on the next run", async () => {
    await ensureDevVars(path);
    const first = readFileSync(path, "utf8");
    expect(await ensureDevVars(path)).toEqual({ created: false, added: [] });
    expect(readFileSync(path, "utf8")).toBe(first);
  });

  it("does not bring back DEV_LOGIN, a first-run choice the developer removed", async () => {
    writeFileSync(path, olderFile.replace("DEV_LOGIN=false\n", ""));
    expect((await ensureDevVars(path)).added).toEqual(["TOKEN_SECRETS"]);
    expect(readFileSync(path, "utf8")).not.toContain("DEV_LOGIN");
  });

  it("adds every missing setting of a newer list in the list's order", async () => {
    writeFileSync(path, "A=1\n");
    const settings = [
      { name: "A", value: () => "2" },
      { name: "B", value: () => "3" },
      { name: "C", value: async () => "4" },
    ];
    expect(await ensureDevVars(path, settings)).toEqual({ created: false, added: ["B", "C"] });
    expect(readFileSync(path, "utf8")).toBe("A=1\nB=3\nC=4\n");
  });
});

describe("definedNames", () => {
  it("reads NAME=value lines, with spaces or export before them, and skips comments", () => {
    const text = "# TOKEN_SECRETS=commented\n  ADMIN_TOKEN = x\nexport DEV_LOGIN=true\nSIGNING_KEYS='{}'\n";
    expect([...definedNames(text)]).toEqual(["ADMIN_TOKEN", "DEV_LOGIN", "SIGNING_KEYS"]);
  });
});

describe("readSetting", () => {
  it("reads a value with the quotes around it taken off, the last line winning, as dotenv does", () => {
    const text = [
      "# ADMIN_TOKEN=commented",
      "ADMIN_TOKEN=first",
      `SIGNING_KEYS='{"keys":[]}'`,
      'LOGIN_URL="http://localhost:3000/login"',
      "export  ADMIN_TOKEN = second\r",
      "",
    ].join("\n");
    expect(readSetting(text, "ADMIN_TOKEN")).toBe("second");
    expect(readSetting(text, "SIGNING_KEYS")).toBe('{"keys":[]}');
    expect(readSetting(text, "LOGIN_URL")).toBe("http://localhost:3000/login");
  });

  it("gives undefined for a name no line sets, and an empty string for an empty value", () => {
    expect(readSetting("ADMIN_TOKEN_OLD=x\n", "ADMIN_TOKEN")).toBeUndefined();
    expect(readSetting("ADMIN_TOKEN=\n", "ADMIN_TOKEN")).toBe("");
  });
});
