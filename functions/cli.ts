#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { lineageCommand } from '../shared/cli/lineage-command.js';
import { runCommand } from '../shared/cli/run-command.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/log.js';

const HELP = `darkroom — event-driven image editing, run locally

Usage:
  darkroom run <dropDir> [--out <resultsDir>] [--watch] [--engine local|gemini|replicate]
      Process every image + sidecar (or recipe) pair in <dropDir>, then with --watch keep
      processing new arrivals. Results, manifests and lineage go to <resultsDir> (default: results).
  darkroom lineage <output file | job id> [--out <resultsDir>]
      Print the jobs, stages and inputs behind an output.

Options:
  --out <dir>       results folder (default: results)
  --engine <name>   engine for requests that name none (default: local)
  --watch           keep watching the drop folder
  -h, --help        show this help

Environment variables are documented in README.md (Configuration).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'results' },
      engine: { type: 'string' },
      watch: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  const env = { ...process.env, DARKROOM_ENGINE: values.engine ?? process.env.DARKROOM_ENGINE ?? 'local' };
  const config = loadConfig(env);
  const log = createLogger({
    format: config.log.format ?? 'text',
    // The command prints one line per job itself; pipeline logs are for debugging.
    level: process.env.LOG_LEVEL ? config.log.level : 'error',
  });
  const print = (line: string) => console.log(line);
  if (!target) {
    console.error(`darkroom ${command}: missing argument\n\n${HELP}`);
    return 2;
  }
  if (command === 'run') {
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    return runCommand({
      config,
      env,
      dropDir: target,
      resultsDir: values.out,
      watch: values.watch,
      log,
      print,
      signal: controller.signal,
    });
  }
  if (command === 'lineage') {
    return lineageCommand({ config, env, target, resultsDir: values.out, log, print });
  }
  console.error(`darkroom: unknown command "${command}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(
      err instanceof ConfigError || (err as Error)?.name === 'TypeError'
        ? `darkroom: ${(err as Error).message}`
        : `darkroom: ${(err as Error)?.message ?? err}`,
    );
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
