import { describe, expect, it } from 'vitest';
import {
  type CliCommand,
  COMMON_OPTIONS,
  type CommandArgs,
  type CommandContext,
  positionalsOf,
  UsageError,
} from '../../../shared/cli/command.js';
import { CLI_HELP, exitCodeOf, runCli } from '../../../shared/cli/run-cli.js';
import { ConfigError } from '../../../shared/config.js';

/** A command that records what it was handed. */
class FakeCommand implements CliCommand {
  readonly help = 'Usage: darkroom fake <thing> [--count <n>]';
  readonly options = { ...COMMON_OPTIONS, count: { type: 'string' } } as const;
  calls: { args: CommandArgs; context: CommandContext; count: number | undefined }[] = [];
  async run(args: CommandArgs, context: CommandContext): Promise<number> {
    positionalsOf(args, { min: 1, max: 1 });
    this.calls.push({ args, context, count: args.number('count') });
    return 7;
  }
}

function cli(env: NodeJS.ProcessEnv = {}) {
  const fake = new FakeCommand();
  const printed: string[] = [];
  const io = {
    commands: { fake },
    env,
    print: (line: string) => printed.push(line),
    stderr: { isTTY: false, write: () => true },
    onInterrupt: () => {},
  };
  return { fake, printed, run: (argv: string[]) => runCli(argv, io) };
}

describe('runCli', () => {
  it('prints the overview: exit 2 without a command, 0 when asked for', async () => {
    const bare = cli();
    expect(await bare.run([])).toBe(2);
    expect(bare.printed).toEqual([CLI_HELP]);
    const asked = cli();
    expect(await asked.run(['--help'])).toBe(0);
    expect(await asked.run(['help', 'fake'])).toBe(0);
    expect(asked.printed).toEqual([CLI_HELP, asked.fake.help]);
  });

  it("prints a command's help for --help without running it", async () => {
    const c = cli();
    expect(await c.run(['fake', '-h'])).toBe(0);
    expect(c.printed).toEqual([c.fake.help]);
    expect(c.fake.calls).toHaveLength(0);
  });

  interface UsageCase {
    argv: string[];
    message: RegExp;
  }
  it.each<UsageCase>([
    { argv: ['nope'], message: /^unknown command "nope"/ },
    { argv: ['fake', 'x', '--bogus'], message: /^fake: unknown option "--bogus"\n\nUsage: darkroom fake/ },
    {
      argv: ['fake', 'x', '--engine', 'dall-e'],
      message: /--engine must be one of local, gemini, replicate/,
    },
    { argv: ['fake'], message: /^fake: missing argument/ },
    { argv: ['fake', 'x', 'y'], message: /^fake: unexpected argument "y"/ },
    { argv: ['fake', 'x', '--count', 'many'], message: /--count must be a number ≥ 0 \(got "many"\)/ },
  ])('refuses $argv with a usage error (exit 2)', async ({ argv, message }) => {
    const c = cli();
    const err = await c.run(argv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect(exitCodeOf(err)).toBe(2);
  });

  it("hands the command its context and returns the command's exit code", async () => {
    const c = cli({ LOG_LEVEL: 'debug', RESULTS_PREFIX: 'out/' });
    expect(await c.run(['fake', 'thing', '--out', 'res', '--engine', 'gemini', '--count', '3'])).toBe(7);
    const [call] = c.fake.calls;
    expect(call?.args.positionals).toEqual(['thing']);
    expect(call?.count).toBe(3);
    expect(call?.context.resultsDir).toBe('res');
    expect(call?.context.env.DARKROOM_ENGINE).toBe('gemini');
    expect(call?.context.config.defaultEngine).toBe('gemini');
    expect(call?.context.config.results.prefix).toBe('out/');
  });

  it('defaults the engine to local and refuses a bad configuration with exit code 2', async () => {
    const c = cli();
    await c.run(['fake', 'thing']);
    expect(c.fake.calls[0]?.context.config.defaultEngine).toBe('local');
    const err = await cli({ MAX_ATTEMPTS: 'many' })
      .run(['fake', 'thing'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(exitCodeOf(err)).toBe(2);
    expect(exitCodeOf(new Error('disk full'))).toBe(1);
  });
});
