// Reads the private JWK Set that `npm run rotate-keys` works on, from a file or standard input,
// and says in one line what is wrong with it when something is.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isatty } from "node:tty";

/** A problem with the key set given; its message is one line, ready to print. */
export class KeySetInputError extends Error {}

/**
 * Why reading would go wrong before it starts, or undefined: with no file and standard input a
 * terminal, reading would wait for typing that is never coming (a forgotten `--file`).
 */
export function inputProblem(file, stdinIsTTY) {
  if (file === undefined && stdinIsTTY)
    return "no key set given: pass --file keys.json or pipe the set to standard input";
  return undefined;
}

function readText(file) {
  try {
    // `npm run` starts scripts in the package's root; a relative path means the caller's directory.
    return readFileSync(file === undefined ? 0 : resolve(process.env.INIT_CWD ?? "", file), "utf8");
  } catch (error) {
    if (file === undefined)
      throw new KeySetInputError(`standard input cannot be read (${error.code ?? error.message})`);
    if (error.code === "ENOENT") throw new KeySetInputError(`${file} does not exist`);
    throw new KeySetInputError(`${file} cannot be read (${error.code ?? error.message})`);
  }
}

/**
 * The JWK Set in `file`, or on standard input when `file` is undefined. (`isatty(0)`, not
 * `process.stdin.isTTY`: touching `process.stdin` makes a piped input non-blocking, and the
 * synchronous read then fails with EAGAIN.)
 * @throws {KeySetInputError} when there is none to read, it cannot be read, or it is not
 *   `{"keys": [...]}` with at least one key
 */
export function readKeySet(file, { stdinIsTTY = isatty(0) } = {}) {
  const problem = inputProblem(file, stdinIsTTY);
  if (problem !== undefined) throw new KeySetInputError(problem);
  const text = readText(file);
  let set;
  try {
    set = JSON.parse(text);
  } catch {
    throw new KeySetInputError("the input is not a JSON JWK Set");
  }
  if (!Array.isArray(set?.keys) || set.keys.length === 0)
    throw new KeySetInputError('the input must be {"keys": [...]} with at least one key');
  return set;
}
