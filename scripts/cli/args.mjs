// Reads one command's arguments: operands in order, and flags as `--flag value` or
// `--flag=value`. Everything it refuses is a UsageError naming the argument at fault.
import { usage } from "./errors.mjs";

/**
 * @typedef {object} FlagSpec
 * @property {string} [value] the value's placeholder (`URL`, `N`); a flag without one is a switch
 * @property {boolean} [repeat] whether the flag may be given more than once (values collect in order)
 * @property {string} help one line for `--help`
 */

/**
 * How many operands `names` allows: `NAME` is required, `[NAME]` optional, `[NAME...]` any number.
 * @returns {{ min: number, max: number }}
 */
export function operandCount(names) {
  const min = names.filter((name) => !name.startsWith("[")).length;
  const max = names.some((name) => name.endsWith("...]")) ? Infinity : names.length;
  return { min, max };
}

/**
 * Splits `args` into flags (by `specs`, keyed by their `--name`) and operands (named by
 * `operands`, see {@link operandCount}). After `--` every argument is an operand.
 * @param {string[]} args
 * @param {Record<string, FlagSpec>} specs
 * @param {string[]} operands
 * @returns {{ flags: Record<string, string | string[] | true>, operands: string[] }}
 * @throws {import("./errors.mjs").UsageError}
 */
export function parseArgs(args, specs, operands = []) {
  const flags = {};
  const given = [];
  let onlyOperands = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyOperands || arg === "-" || !arg.startsWith("-")) {
      given.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyOperands = true;
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) usage(`unknown flag ${name}`);
    if (spec.value === undefined) {
      if (equals > 0) usage(`${name} takes no value`);
      if (flags[name] !== undefined) usage(`${name} given twice`);
      flags[name] = true;
      continue;
    }
    let value;
    if (equals > 0) value = arg.slice(equals + 1);
    // A following flag is a forgotten value, not a value: `--name --json`.
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) value = args[++i];
    if (value === undefined || value === "") usage(`${name} needs a value`);
    if (spec.repeat) (flags[name] ??= []).push(value);
    else if (flags[name] !== undefined) usage(`${name} given twice`);
    else flags[name] = value;
  }
  const { min, max } = operandCount(operands);
  if (given.length > max) usage(`unexpected argument ${given[max]}`);
  if (given.length < min) usage(`missing ${operands[given.length]}`);
  return { flags, operands: given };
}

/** Whether `args` ask for help (`-h` or `--help` before any `--`). */
export function wantsHelp(args) {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === "-h" || arg === "--help");
}
