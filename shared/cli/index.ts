/** The command line's public face, for functions/cli.ts: the commands and the runner that parses and runs one. */
export { COMMANDS } from './commands.js';
export { exitCodeOf, runCli } from './run-cli.js';
