#!/usr/bin/env node
// `baton` (`npx baton --help`): the operator's command line for a Baton authorization server.
import { main } from "./main.mjs";

// `baton clients list | head -1` closes the pipe early; that is no error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
