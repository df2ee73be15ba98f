import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../scripts/cli/errors.mjs";
import { callerDirectory, devVarsToken, isLoopback, resolveTarget } from "../../scripts/cli/target.mjs";

const TOKEN = "t".repeat(43);

let dir;
let here;
let root;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "baton-target-"));
  here = join(dir, "here");
  root = join(dir, "root");
  mkdirSync(here);
  mkdirSync(root);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveTarget", () => {
  it("takes --url and --admin-token over BATON_URL and ADMIN_TOKEN, dropping a trailing slash", () => {
    const env = { BATON_URL: "http://localhost:1", ADMIN_TOKEN: "from-env" };
    expect(resolveTarget({ "--url": "https://auth.example.com/", "--admin-token": TOKEN }, env, [])).toEqual({
      url: "https://auth.example.com",
      adminToken: TOKEN,
    });
  });

  it("falls back to BATON_URL and ADMIN_TOKEN, an empty one counting as unset", () => {
    expect(resolveTarget({}, { BATON_URL: "https://auth.example.com", ADMIN_TOKEN: TOKEN }, [])).toEqual({
      url: "https://auth.example.com",
      adminToken: TOKEN,
    });
    writeFileSync(join(here, ".dev.vars"), `ADMIN_TOKEN=${TOKEN}\n`);
    expect(resolveTarget({}, { BATON_URL: "", ADMIN_TOKEN: "" }, [here])).toEqual({
      url: "http://localhost:8787",
      adminToken: TOKEN,
    });
  });

  it("reads ADMIN_TOKEN from .dev.vars in the current directory first, then the repository root", () => {
    writeFileSync(join(root, ".dev.vars"), "ADMIN_TOKEN='from-root'\n");
    expect(resolveTarget({}, {}, [here, root]).adminToken).toBe("from-root");
    writeFileSync(join(here, ".dev.vars"), "DEV_LOGIN=true\n");
    expect(resolveTarget({}, {}, [here, root]).adminToken).toBe("from-root");
    writeFileSync(join(here, ".dev.vars"), "ADMIN_TOKEN=from-here\n");
    expect(resolveTarget({ "--url": "http://127.0.0.1:9000" }, {}, [here, root]).adminToken).toBe("from-here");
    expect(devVarsToken([here, root])).toEqual({ token: "from-here", file: join(here, ".dev.vars") });
  });

  it("never sends a .dev.vars token to a host other than this machine", () => {
    writeFileSync(join(here, ".dev.vars"), `ADMIN_TOKEN=${TOKEN}\n`);
    expect(() => resolveTarget({ "--url": "https://auth.example.com" }, {}, [here])).toThrow(
      new UsageError("no admin token: pass --admin-token or set ADMIN_TOKEN"),
    );
  });

  it("says where a local token comes from when there is none", () => {
    expect(() => resolveTarget({}, {}, [here, root])).toThrow(
      new UsageError("no admin token: pass --admin-token or set ADMIN_TOKEN (`npm run dev` writes one to .dev.vars)"),
    );
  });

  it("refuses a URL that is not http or https, naming where it came from", () => {
    expect(() => resolveTarget({ "--url": "localhost:8787" }, {}, [])).toThrow(
      new UsageError("--url must be an http or https URL"),
    );
    expect(() => resolveTarget({}, { BATON_URL: "8787", ADMIN_TOKEN: TOKEN }, [])).toThrow(
      new UsageError("BATON_URL must be an http or https URL"),
    );
  });
});

describe("isLoopback and callerDirectory", () => {
  it("knows this machine's names", () => {
    for (const url of ["http://localhost:8787", "http://127.0.0.1", "http://127.1.2.3:1", "http://[::1]:8787"])
      expect(isLoopback(url)).toBe(true);
    for (const url of ["https://auth.example.com", "http://localhost.example.com", "http://10.0.0.1"])
      expect(isLoopback(url)).toBe(false);
  });

  it("takes npm's INIT_CWD as the directory the command was typed in", () => {
    expect(callerDirectory({ INIT_CWD: "/somewhere" })).toBe("/somewhere");
    expect(callerDirectory({})).toBe(process.cwd());
  });
});
