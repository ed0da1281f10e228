import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger, resolveLogFormat } from '../log.js';
import {
  CLI_ENGINES,
  type CliCommand,
  type CommandArgs,
  type CommandContext,
  UsageError,
} from './command.js';
import { createProgress, type ProgressStream } from './progress.js';

/** `darkroom --help`. */
export const CLI_HELP = `darkroom — event-driven image editing, run locally

Usage: darkroom <command> [options]    (darkroom <command> --help for details)

Commands:
  run <dropDir>             process every image + sidecar (or recipe) pair, then write the report
  backfill <prefix> --drop <dir>
                            process existing uploads under a prefix, with --dry-run and caps
  validate <sidecar.json>   check a sidecar or recipe: errors, effective prompts, warnings, cost
  report [<resultsDir>]     write <resultsDir>/index.html, the page of every job
  lineage <file | jobId>    print the jobs, stages and inputs behind an output
  batch submit|status|cancel <id> --drop <dir>
                            the batch lane: submit waiting stages, poll and apply, cancel

Options everywhere: --out <resultsDir> (default results), --engine <name>, -h/--help.
Exit codes: 0 success, 1 a job or check failed, 2 usage or configuration error,
3 backfill stopped at a cap. Environment variables: see README.md (Configuration).`;

/** What the command line runs in: its commands, its environment and its terminal. */
export interface CliIo {
  commands: Readonly<Record<string, CliCommand>>;
  env: NodeJS.ProcessEnv;
  print: (line: string) => void;
  stderr: ProgressStream;
  /** Calls `abort` on the first SIGINT or SIGTERM. */
  onInterrupt(abort: () => void): void;
}

/**
 * Runs one `darkroom` command line: help, argument parsing, `--engine`, configuration from the
 * environment, then the command.
 * @returns the exit code: 0 success, 1 a job or check failed, 2 usage (the command's own codes beside)
 * @throws UsageError and ConfigError (see {@link exitCodeOf}); whatever the command throws
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    const topic = command === 'help' && rest[0] ? io.commands[rest[0]] : undefined;
    io.print(topic?.help ?? CLI_HELP);
    return command ? 0 : 2;
  }
  const spec = Object.hasOwn(io.commands, command) ? io.commands[command] : undefined;
  if (!spec) throw new UsageError(`unknown command "${command}"\n\n${CLI_HELP}`);
  const args = _parse(command, rest, spec);
  if (args.values.help) {
    io.print(spec.help);
    return 0;
  }
  const engine = args.values.engine as string | undefined;
  if (engine !== undefined && !(CLI_ENGINES as readonly string[]).includes(engine)) {
    args.usage(`--engine must be one of ${CLI_ENGINES.join(', ')} (got "${engine}")`);
  }
  return spec.run(args, _context(io, args));
}

/**
 * The exit code of an error that ended a command line: 2 for usage and configuration, else 1.
 */
export function exitCodeOf(err: unknown): number {
  const usage = err instanceof UsageError || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
  return usage || err instanceof ConfigError ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

/** Parses a command's arguments; a parser complaint comes back as the command's usage. */
function _parse(command: string, argv: string[], spec: CliCommand): CommandArgs {
  const usage = (what: string): never => {
    throw new UsageError(`${command}: ${what}\n\n${spec.help}`);
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true });
  } catch (err) {
    const unknown = /Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
    return usage(unknown ? `unknown option "${unknown}"` : (err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return {
    command,
    values,
    positionals: parsed.positionals,
    usage,
    number(name) {
      const raw = values[name] as string | undefined;
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
        usage(`--${name} must be a number ≥ 0 (got "${raw}")`);
      return n;
    },
  };
}

function _context(io: CliIo, args: CommandArgs): CommandContext {
  const env = {
    ...io.env,
    DARKROOM_ENGINE: (args.values.engine as string) ?? io.env.DARKROOM_ENGINE ?? 'local',
  };
  const config = loadConfig(env);
  const log = createLogger({
    format: resolveLogFormat({ format: config.log.format, isTTY: io.stderr.isTTY === true }),
    // Commands print one line per job themselves; pipeline logs are for debugging.
    level: io.env.LOG_LEVEL ? config.log.level : 'error',
    write: (line) => io.stderr.write(`${line}\n`),
  });
  return {
    config,
    env,
    log,
    print: io.print,
    resultsDir: String(args.values.out),
    progress: (unit) => createProgress({ stream: io.stderr, env: io.env, unit }),
    interrupted() {
      const controller = new AbortController();
      io.onInterrupt(() => controller.abort());
      return controller.signal;
    },
  };
}
