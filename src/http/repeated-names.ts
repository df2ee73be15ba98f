/**
 * Whether a JSON text gives one object the same member name twice. `JSON.parse` keeps the last
 * one silently, while a proxy, a log or an audit in front of Baton may read the first: the two
 * would disagree on what was asked (a `redirect_uris` checked, another one stored). RFC 8259 §4
 * says names SHOULD be unique and leaves the rest to the parser; I-JSON (RFC 7493 §2.3) says
 * they MUST be, so Baton refuses such a body rather than pick one.
 */

/** JSON's whitespace (RFC 8259 §2). */
const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * `true` when some object in `text` repeats a member name (names compared after unescaping, so
 * `"a"` and `"\u0061"` are one name). `text` must already be valid JSON (parse it first).
 *
 * @see RFC 8259 §4, RFC 7493 §2.3
 */
export function repeatsMemberName(text: string): boolean {
  // One entry per open object or array: the names seen so far, or null in an array.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "{") open.push(new Set());
    else if (char === "[") open.push(null);
    else if (char === "}" || char === "]") open.pop();
    else if (char === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      let next = i + 1;
      while (WHITESPACE.has(text[next]!)) next++;
      // A string followed by a colon is a member name; any other string is a value.
      if (text[next] !== ":") continue;
      const names = open[open.length - 1]!;
      const name = JSON.parse(text.slice(start, i + 1)) as string;
      if (names.has(name)) return true;
      names.add(name);
    }
  }
  return false;
}
