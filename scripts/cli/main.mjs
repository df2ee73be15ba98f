// The `baton` command line: finds the command, reads its arguments, runs it, prints what it
// returns, and turns every failure into one line on standard error and an exit code (2 for a
// usage mistake, 1 for a refusal or an unreachable server).
import { adminApi } from "./admin-api.mjs";
import { parseArgs, wantsHelp } from "./args.mjs";
import { clients } from "./clients.mjs";
import { UsageError, usage } from "./errors.mjs";
import { grants } from "./grants.mjs";
import { keys } from "./keys.mjs";
import { sessions } from "./sessions.mjs";
import { REPOSITORY_ROOT, TARGET_FLAGS, callerDirectory, resolveTarget } from "./target.mjs";

/**
 * @typedef {object} Command
 * @property {string} name
 * @property {string} summary one line for the help
 * @property {string[]} [operands] see `operandCount` in args.mjs
 * @property {Record<string, import("./args.mjs").FlagSpec>} [flags]
 * @property {string[]} [required] flags that must be given
 * @property {boolean} [local] true when it never talks to a server (no --url, --admin-token, --json)
 * @property {(context: Context) => Promise<string>} run resolves with what to print ("" for nothing)
 *
 * @typedef {object} Context
 * @property {Record<string, any>} flags
 * @property {string[]} operands
 * @property {boolean} json whether --json was given
 * @property {string} directory where the command was typed, for relative paths
 * @property {(method: string, path: string, body?: unknown) => Promise<{ status: number, text: string, body: any }>} request
 *
 * @typedef {{ name: string, summary: string, commands: Command[] }} Group
 */

/** @type {Group[]} */
export const GROUPS = [clients, sessions, grants, keys];

const JSON_FLAG = { "--json": { help: "print the API's JSON as it came (nothing for an empty answer), for scripts" } };

/** Every flag `command` takes: its own, then those of commands that talk to a server. */
export function flagsOf(command) {
  return { ...command.flags, ...(command.local ? {} : { ...TARGET_FLAGS, ...JSON_FLAG }) };
}

/** `baton GROUP COMMAND OPERANDS --required VALUE [flags]`. */
export function synopsis(group, command) {
  const required = (command.required ?? []).map((flag) => `${flag} ${command.flags[flag].value}`);
  const optional = Object.keys(flagsOf(command)).length > required.length ? ["[flags]"] : [];
  return ["baton", group.name, command.name, ...(command.operands ?? []), ...required, ...optional].join(" ");
}

function commandLines(group) {
  const lines = group.commands.map((command) => [synopsis(group, command), command.summary]);
  const pad = Math.max(...lines.map(([left]) => left.length));
  return lines.map(([left, right]) => `  ${left.padEnd(pad)}  ${right}`);
}

const COMMON = [
  "Commands that talk to Baton take --url URL (default: $BATON_URL, else http://localhost:8787),",
  "--admin-token TOKEN (default: $ADMIN_TOKEN, else ADMIN_TOKEN from .dev.vars when the URL is local)",
  "and --json (the API's JSON as it came, for scripts).",
];

/** `baton --help`: every group and command. */
export function mainHelp() {
  return [
    "baton: operate a Baton authorization server.",
    "",
    "usage: baton GROUP COMMAND [ARGUMENTS] [FLAGS]",
    ...GROUPS.flatMap((group) => ["", `${group.name}: ${group.summary}`, ...commandLines(group)]),
    "",
    ...COMMON,
    "`baton GROUP --help` lists a group's commands, `baton GROUP COMMAND --help` a command's flags.",
  ].join("\n");
}

/** `baton GROUP --help`. */
export function groupHelp(group) {
  return [`baton ${group.name}: ${group.summary}`, "", ...commandLines(group), "", ...COMMON].join("\n");
}

/** `baton GROUP COMMAND --help`. */
export function commandHelp(group, command) {
  const flags = Object.entries(flagsOf(command)).map(([name, spec]) => [
    spec.value ? `${name} ${spec.value}` : name,
    spec.help,
  ]);
  const pad = Math.max(0, ...flags.map(([left]) => left.length));
  return [
    `usage: ${synopsis(group, command)}`,
    "",
    `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.`,
    ...(flags.length > 0 ? ["", ...flags.map(([left, right]) => `  ${left.padEnd(pad)}  ${right}`)] : []),
  ].join("\n");
}

/** Finds the group and command `argv` names; `help` is the text to print when it asks for help. */
export function findCommand(argv) {
  const [groupName, commandName, ...args] = argv;
  if (groupName === undefined) usage("no command given; `baton --help` lists them");
  if (groupName === "-h" || groupName === "--help" || groupName === "help") return { help: mainHelp() };
  const group = GROUPS.find((g) => g.name === groupName);
  if (group === undefined) usage(`unknown command ${groupName}; \`baton --help\` lists them`);
  if (commandName === "-h" || commandName === "--help") return { help: groupHelp(group) };
  const names = group.commands.map((command) => command.name).join(", ");
  if (commandName === undefined) usage(`baton ${group.name} needs a command: ${names}`);
  const command = group.commands.find((c) => c.name === commandName);
  if (command === undefined) usage(`unknown command ${group.name} ${commandName}; use one of ${names}`);
  if (wantsHelp(args)) return { help: commandHelp(group, command) };
  return { group, command, args };
}

/** Reads `args` for `command`; a mistake is a UsageError that ends with the command's usage. */
export function readArguments(group, command, args) {
  try {
    const parsed = parseArgs(args, flagsOf(command), command.operands);
    for (const flag of command.required ?? []) if (parsed.flags[flag] === undefined) usage(`${flag} is required`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}; usage: ${synopsis(group, command)}`);
    throw error;
  }
}

/**
 * Runs the command `argv` names.
 * @param {string[]} argv the arguments after `baton`
 * @param {{ env?: Record<string, string | undefined>, stdout: (text: string) => void, stderr: (text: string) => void }} io
 * @returns {Promise<number>} the exit code
 */
export async function main(argv, { env = process.env, stdout, stderr }) {
  try {
    const found = findCommand(argv);
    if (found.help !== undefined) {
      stdout(`${found.help}\n`);
      return 0;
    }
    const { group, command, args } = found;
    const { flags, operands } = readArguments(group, command, args);
    const directory = callerDirectory(env);
    let request;
    const context = {
      flags,
      operands,
      json: flags["--json"] === true,
      directory,
      request(...call) {
        request ??= adminApi(resolveTarget(flags, env, [directory, REPOSITORY_ROOT]));
        return request(...call);
      },
    };
    const output = await command.run(context);
    if (output !== "") stdout(`${output}\n`);
    return 0;
  } catch (error) {
    if (typeof error?.exitCode === "number") {
      stderr(`baton: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug: still one line, never a stack trace.
    stderr(`baton: unexpected error: ${error?.message ?? String(error)}\n`);
    return 1;
  }
}
