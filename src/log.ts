/**
 * Structured log lines. Callers pass only fields that are safe to keep: route, outcome code,
 * client id, durations, request id. Never a token, secret, code or personal claim.
 */

/** The levels of `LOG_LEVEL`, lowest first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One level of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields of one log line. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * Writes one JSON log line at `level`, unless `settings` puts the threshold above it. Without
 * settings (the configuration itself could not be read) every line is written: it is what
 * explains the failure.
 */
export function log(
  settings: { logLevel: LogLevel } | undefined,
  level: LogLevel,
  message: string,
  fields: LogFields = {},
): void {
  if (settings !== undefined && LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(settings.logLevel)) return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else if (level === "debug") console.debug(line);
  else console.log(line);
}

/** What a log line may say of an error: its name, never its message (which may hold input). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}
