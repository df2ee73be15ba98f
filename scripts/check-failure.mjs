// How a check against wrangler dev reports the error that stopped it (the step it was at, the
// error's class, code and message, an OAuth error's code and description, and its cause), and
// how it gives up when it hangs.

/** Prints why the check `name` failed at `step`. */
export function reportFailure(name, step, error) {
  const detail = error?.error ? ` [${error.error}: ${error.error_description ?? ""}]` : "";
  const code = error?.code ? ` (${error.code})` : "";
  console.log(
    `${name} FAILED at "${step}": ${error?.constructor?.name ?? "Error"}${code}: ${error?.message ?? error}${detail}`,
  );
  if (error?.cause !== undefined) console.log(`  cause: ${JSON.stringify(error.cause)?.slice(0, 400)}`);
}

/**
 * Gives up on the check `name` after `ms`, so that a hang cannot stall CI: prints the step
 * `where()` names, stops `server` and exits 1.
 */
export function giveUpAfter(name, ms, server, where) {
  setTimeout(() => {
    console.log(`${name} FAILED at "${where()}": no result within ${ms / 1000} s`);
    server.stop("SIGKILL").finally(() => process.exit(1));
  }, ms).unref();
}
