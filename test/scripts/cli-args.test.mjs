import { describe, expect, it } from "vitest";
import { operandCount, parseArgs, wantsHelp } from "../../scripts/cli/args.mjs";
import { UsageError } from "../../scripts/cli/errors.mjs";

const SPECS = {
  "--url": { value: "URL", help: "" },
  "--json": { help: "" },
  "--redirect-uri": { value: "URI", repeat: true, help: "" },
  "--metadata": { value: "FILE|-", help: "" },
};

describe("parseArgs", () => {
  it("reads flags in both spellings, anywhere among the operands", () => {
    expect(
      parseArgs(["a", "--url", "http://x", "--json", "b", "--redirect-uri=https://c/cb"], SPECS, ["A", "B"]),
    ).toEqual({
      flags: { "--url": "http://x", "--json": true, "--redirect-uri": ["https://c/cb"] },
      operands: ["a", "b"],
    });
  });

  it("collects a repeatable flag's values in order", () => {
    const { flags } = parseArgs(["--redirect-uri", "https://a/cb", "--redirect-uri=https://b/cb"], SPECS);
    expect(flags["--redirect-uri"]).toEqual(["https://a/cb", "https://b/cb"]);
  });

  it("keeps a value that has = in it whole, and takes - as a value and as an operand", () => {
    expect(parseArgs(["--url=http://x/?a=b"], SPECS).flags["--url"]).toBe("http://x/?a=b");
    expect(parseArgs(["--metadata", "-"], SPECS).flags["--metadata"]).toBe("-");
    expect(parseArgs(["-"], SPECS, ["FILE"]).operands).toEqual(["-"]);
  });

  it("takes everything after -- as an operand, even what looks like a flag", () => {
    expect(parseArgs(["--", "--json", "-x"], SPECS, ["[ARG...]"])).toEqual({ flags: {}, operands: ["--json", "-x"] });
  });

  it.each([
    [["--bogus"], "unknown flag --bogus"],
    [["--bogus=1"], "unknown flag --bogus"],
    [["-x"], "unknown flag -x"],
    [["--url"], "--url needs a value"],
    [["--url="], "--url needs a value"],
    [["--url", "--json"], "--url needs a value"],
    [["--json=yes"], "--json takes no value"],
    [["--json", "--json"], "--json given twice"],
    [["--url", "a", "--url", "b"], "--url given twice"],
    [["one", "two"], "unexpected argument two"],
    [[], "missing CLIENT_ID"],
  ])("refuses %j with %j", (args, message) => {
    expect(() => parseArgs(args, SPECS, ["CLIENT_ID"])).toThrow(new UsageError(message));
  });

  it("names the first missing operand", () => {
    expect(() => parseArgs(["c1"], {}, ["CLIENT_ID", "SECRET_ID"])).toThrow("missing SECRET_ID");
  });

  it("does not take an inherited property for a flag", () => {
    expect(() => parseArgs(["--constructor"], {})).toThrow("unknown flag --constructor");
  });
});

describe("operandCount", () => {
  it("counts required, optional and any-number operands", () => {
    expect(operandCount([])).toEqual({ min: 0, max: 0 });
    expect(operandCount(["CLIENT_ID", "SECRET_ID"])).toEqual({ min: 2, max: 2 });
    expect(operandCount(["[ALG]"])).toEqual({ min: 0, max: 1 });
    expect(operandCount(["[ALG...]"])).toEqual({ min: 0, max: Infinity });
  });
});

describe("wantsHelp", () => {
  it("sees -h or --help before --, not after", () => {
    expect(wantsHelp(["x", "--help"])).toBe(true);
    expect(wantsHelp(["-h"])).toBe(true);
    expect(wantsHelp(["--", "--help"])).toBe(false);
    expect(wantsHelp(["--helpful"])).toBe(false);
  });
});
