// How the device check reports: each part keeps its own lines and they are printed together once
// it is done, because the parts run side by side (the device flows spend most of their time
// waiting out poll intervals) and interleaved lines would be unreadable. One tally of checks
// passed and failed serves every part, for the verdict and the exit status.

/** Checks passed and failed so far, across all parts. */
export const tally = { passed: 0, failed: 0 };

/** One part of the check, titled `title`: `check`, `log` and `fail` add to its lines. */
export function part(title) {
  const lines = [`\n== ${title}`];
  return {
    lines,
    log: (line) => lines.push(`   ${line}`),
    check(ok, what, detail) {
      if (ok) tally.passed++;
      else tally.failed++;
      lines.push(`${ok ? "ok " : "FAIL"} ${what}${!ok && detail !== undefined ? ` (${detail})` : ""}`);
      return ok;
    },
    fail(error) {
      tally.failed++;
      lines.push(`FAIL ${error?.stack ?? error}`);
    },
  };
}

/**
 * Runs `[part, run]` pairs side by side; prints each part's lines in order once all are done.
 * A run that throws fails its own part only, so the others still report. Resolves with what each
 * run resolved (undefined for one that threw), in order.
 */
export async function runParts(parts) {
  const results = await Promise.all(
    parts.map(async ([p, run]) => {
      try {
        return await run(p);
      } catch (error) {
        p.fail(error);
      }
    }),
  );
  for (const [p] of parts) console.log(p.lines.join("\n"));
  return results;
}
