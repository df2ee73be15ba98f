// Plain-text rendering of what the admin API answers: tables for lists, `field value` lines for
// one record. Values come from a server, so control characters are shown escaped, never sent to
// the terminal as they are.

// C0 and C1 controls (escape sequences start with them) and the bidirectional overrides.
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

/** `text` with every control character written as `\uXXXX`. */
export function printable(text) {
  return String(text).replace(UNSAFE, (c) => `\\u${c.codePointAt(0).toString(16).padStart(4, "0")}`);
}

/** Seconds since the epoch as an ISO 8601 UTC time without fractions; `-` when absent. */
export function time(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "-";
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One cell: `-` for nothing, lists joined with ", ", objects as compact JSON. */
export function cell(value) {
  if (value === undefined || value === null || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(cell).join(", ");
  if (typeof value === "object") return printable(JSON.stringify(value));
  return printable(value);
}

const width = (text) => [...text].length;

/**
 * A table: a header row of `columns`' titles, then one row per item, columns two spaces apart,
 * no trailing spaces.
 * @param {{ title: string, value: (row: any) => string }[]} columns
 * @param {any[]} rows
 */
export function table(columns, rows) {
  const lines = [columns.map((column) => column.title), ...rows.map((row) => columns.map((c) => c.value(row)))];
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => width(line[i]))));
  return lines
    .map((line) =>
      line
        .map((text, i) => (i === line.length - 1 ? text : text + " ".repeat(widths[i] - width(text))))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * `name value` lines, names padded to one width; a value that is a list of several lines puts
 * each on a line of its own under the first.
 * @param {[string, string | string[]][]} pairs
 */
export function fields(pairs) {
  const pad = Math.max(...pairs.map(([name]) => width(name)));
  return pairs
    .flatMap(([name, value]) => {
      const values = Array.isArray(value) ? (value.length > 0 ? value : ["-"]) : [value];
      return values.map((text, i) => `${(i === 0 ? name : "").padEnd(pad)}  ${text}`.trimEnd());
    })
    .join("\n");
}
