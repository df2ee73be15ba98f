/**
 * Structured log lines. Callers pass only fields that are safe to keep: route, outcome code,
 * client id, durations, request id. Never a token, secret, code or personal claim.
 */

/** Fields of one log line. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one JSON log line at the given level. */
export function log(level: "info" | "warn" | "error", message: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
