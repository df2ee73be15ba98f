import { it, inject } from "vitest";
import fc from "fast-check";
it("probe", () => {
  // @ts-ignore
  console.log(
    "inject",
    (() => {
      try {
        return inject("fuzzRuns" as never);
      } catch (e) {
        return String(e);
      }
    })(),
  );
  // @ts-ignore
  console.log("meta", JSON.stringify(import.meta.env));
  // @ts-ignore
  console.log("process", typeof process !== "undefined" ? process.env?.FUZZ_RUNS : "no process");
  fc.assert(
    fc.property(fc.integer(), (n) => n === n),
    { numRuns: 10 },
  );
});
