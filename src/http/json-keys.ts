/**
 * Lists the member names of a flat JSON object, repeats included, which `JSON.parse` hides.
 */

// A JSON string literal, escapes included, and whether a `:` follows it.
const STRING_LITERAL = /("(?:[^"\\]|\\.)*")(\s*:)?/g;

/**
 * The member names of `text`, a JSON object already known to parse and to hold only string, null
 * or string-array values. In such a text, a string literal followed by `:` is a name and any other is a
 * value, so scanning literals is exact.
 */
export function jsonObjectKeys(text: string): string[] {
  const keys: string[] = [];
  for (const match of text.matchAll(STRING_LITERAL)) {
    if (match[2] !== undefined) keys.push(JSON.parse(match[1]!) as string);
  }
  return keys;
}
