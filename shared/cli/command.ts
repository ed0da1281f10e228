import { stat } from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Progress } from './progress.js';

/**
 * The shape of a `darkroom` command module (`shared/cli/*-command.ts`): its help text, its
 * `parseArgs` options, and `run`, which checks its arguments and returns the exit code.
 */
export interface CliCommand {
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: CommandArgs, context: CommandContext): Promise<number>;
}

/** A command's parsed arguments. */
export interface CommandArgs {
  /** The command's name, as typed. */
  command: string;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /**
   * Refuses the arguments: a {@link UsageError} (exit code 2) followed by the command's help.
   * @throws UsageError always
   */
  usage(what: string): never;
  /**
   * A numeric option.
   * @returns the number, or undefined when the option is absent
   * @throws UsageError when it is not a number ≥ 0
   */
  number(name: string): number | undefined;
}

/** What every command is handed: configuration, environment, logging and the terminal. */
export interface CommandContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Where human output goes (stdout). */
  print: (line: string) => void;
  /** `--out` (default `results`). */
  resultsDir: string;
  /** A progress bar on stderr, drawn only on a terminal (see progress.ts). */
  progress(unit: string): Progress;
  /** A signal aborted by the first SIGINT or SIGTERM (only once asked for). */
  interrupted(): AbortSignal;
}

/** Wrong arguments: exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The engines `--engine` accepts. */
export const CLI_ENGINES = ['local', 'gemini', 'replicate'] as const;

/** The options every command has. */
export const COMMON_OPTIONS = {
  out: { type: 'string', default: 'results' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies CliCommand['options'];

/**
 * Checks the number of positional arguments.
 * @returns the positionals, as `[first, second]`
 * @throws UsageError for an unexpected extra argument or a missing one
 */
export function positionalsOf(
  args: CommandArgs,
  count: { min: number; max: number },
): (string | undefined)[] {
  const [first, second] = args.positionals;
  if (args.positionals.length > count.max) args.usage(`unexpected argument "${args.positionals[count.max]}"`);
  if (args.positionals.length < count.min) args.usage('missing argument');
  return [first, second];
}

/**
 * Checks that a drop folder exists: a mistyped one would otherwise "succeed" with 0 jobs.
 * @throws UsageError when it does not exist or is not a folder
 */
export async function requireFolder(args: CommandArgs, folder: string): Promise<string> {
  const found = await stat(folder).catch(() => undefined);
  if (!found?.isDirectory()) args.usage(`the drop folder "${folder}" does not exist or is not a folder`);
  return folder;
}

/** The options every `…Command()` function takes, from a command's context. */
export function baseOptionsOf(
  context: CommandContext,
): Pick<CommandContext, 'config' | 'env' | 'log' | 'print' | 'resultsDir'> {
  const { config, env, log, print, resultsDir } = context;
  return { config, env, log, print, resultsDir };
}
