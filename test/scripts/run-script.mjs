// Runs one of scripts/*.mjs the way `npm run` does, under the Node that runs the tests.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts");

/**
 * Runs `scripts/<name>` with `args`; `input`, when given, is written to its standard input
 * after `inputDelayMs` (a slow writer, as a pipe from another command is).
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function runScript(name, args, { cwd, env = {}, input, inputDelayMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(SCRIPTS, name), ...args], {
      cwd,
      // INIT_CWD is where `npm run` was typed (scripts start in the package root); the one
      // inherited here would be the test runner's.
      env: { ...process.env, INIT_CWD: cwd ?? process.cwd(), ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) setTimeout(() => child.stdin.end(input), inputDelayMs);
  });
}
