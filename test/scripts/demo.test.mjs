import { describe, expect, it } from "vitest";
import { DEMO_USAGE, demoTarget, httpBaseUrl } from "../../scripts/demo-target.mjs";
import { freePort } from "../../scripts/dev-server.mjs";
import { runScript } from "./run-script.mjs";

// An admin token keeps the demo from looking for .dev.vars; BATON_URL is cleared unless a test sets it.
const env = { ADMIN_TOKEN: "a".repeat(43), BATON_URL: "" };

describe("npm run demo's command line", () => {
  it("refuses an unknown flag with one line naming it and the usage, exit code 2", async () => {
    const { code, stdout, stderr } = await runScript("demo.mjs", ["--bogus"], { env });
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: `demo: unknown argument --bogus; ${DEMO_USAGE}\n`,
    });
  });

  it("talks to http://localhost:P for --port P", async () => {
    const port = await freePort();
    const { code, stderr } = await runScript("demo.mjs", ["--port", String(port)], { env });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`demo: nothing answers at http://localhost:${port}: start it with \`npm run dev\``);
  });

  it("talks to the --url given, which wins over BATON_URL", async () => {
    const port = await freePort();
    const { code, stderr } = await runScript("demo.mjs", [`--url=http://127.0.0.1:${port}/`], {
      env: { ...env, BATON_URL: "http://localhost:1" },
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`demo: nothing answers at http://127.0.0.1:${port}: start it with \`npm run dev\``);
  });

  it("falls back to BATON_URL without a flag", async () => {
    const port = await freePort();
    const { stderr } = await runScript("demo.mjs", [], { env: { ...env, BATON_URL: `http://127.0.0.1:${port}` } });
    expect(stderr.trim()).toBe(`demo: nothing answers at http://127.0.0.1:${port}: start it with \`npm run dev\``);
  });

  it("prints the usage for --help, exit code 0", async () => {
    expect(await runScript("demo.mjs", ["--help"], { env })).toEqual({
      code: 0,
      stdout: `${DEMO_USAGE}\n`,
      stderr: "",
    });
  });
});

describe("demoTarget", () => {
  it("defaults to the address npm run dev serves on", () => {
    expect(demoTarget([], {})).toEqual({ help: false, baseUrl: "http://localhost:8787" });
    expect(demoTarget([], { BATON_URL: "" })).toEqual({ help: false, baseUrl: "http://localhost:8787" });
  });

  it("reads --port and --url in both spellings", () => {
    expect(demoTarget(["--port", "8801"]).baseUrl).toBe("http://localhost:8801");
    expect(demoTarget(["--port=8801"]).baseUrl).toBe("http://localhost:8801");
    expect(demoTarget(["--url", "https://auth.example.com/"]).baseUrl).toBe("https://auth.example.com");
    expect(demoTarget(["--url=http://127.0.0.1:9000"]).baseUrl).toBe("http://127.0.0.1:9000");
  });

  it.each([
    [["--port"], "--port needs a value"],
    [["--url="], "--url needs a value"],
    [["--port", "80a"], "--port must be a port number from 1 to 65535"],
    [["--port", "0"], "--port must be a port number from 1 to 65535"],
    [["--port", "65536"], "--port must be a port number from 1 to 65535"],
    [["--url", "localhost:8787"], "--url must be an http or https URL"],
    [["--url", "ftp://example.com"], "--url must be an http or https URL"],
    [["--port", "1", "--url", "http://x"], "give --url or --port, not both"],
    [["--port", "1", "--port", "2"], "--port given twice"],
    [["8801"], "unknown argument 8801"],
    [["-p", "8801"], "unknown argument -p"],
  ])("refuses %j with %j", (args, problem) => {
    expect(() => demoTarget(args)).toThrow(`${problem}; ${DEMO_USAGE}`);
  });

  it("refuses a BATON_URL that is not an http or https URL", () => {
    expect(() => demoTarget([], { BATON_URL: "8787" })).toThrow(
      `BATON_URL must be an http or https URL; ${DEMO_USAGE}`,
    );
  });
});

describe("httpBaseUrl", () => {
  it("gives an http or https URL without its trailing slash, and undefined for anything else", () => {
    expect(httpBaseUrl("https://auth.example.com/")).toBe("https://auth.example.com");
    expect(httpBaseUrl("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787");
    expect(httpBaseUrl("localhost:8787")).toBeUndefined();
    expect(httpBaseUrl("ftp://example.com")).toBeUndefined();
    expect(httpBaseUrl("")).toBeUndefined();
  });
});
