#!/usr/bin/env node
import { COMMANDS, exitCodeOf, runCli } from '../shared/cli/index.js';

// `darkroom lineage … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

runCli(process.argv.slice(2), {
  commands: COMMANDS,
  env: process.env,
  print: (line) => console.log(line),
  stderr: process.stderr,
  onInterrupt: (abort) => {
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`darkroom: ${(err as Error)?.message ?? err}`);
    process.exitCode = exitCodeOf(err);
  },
);
