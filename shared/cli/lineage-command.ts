import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { hashBytes } from '../imaging/index.js';
import { renderTrace, traceJob } from '../lineage/trace.js';
import type { Logger } from '../log.js';
import { openLocalEnvironment, SNAPSHOT_FILE } from '../runner/local-env.js';
import {
  baseOptionsOf,
  COMMON_OPTIONS,
  type CommandArgs,
  type CommandContext,
  positionalsOf,
} from './command.js';
import { findResultsDir, hasSnapshot, jobFileOf } from './locate-results.js';

/** `darkroom lineage --help`. */
export const help = `Usage: darkroom lineage <output file | job id> [--out <resultsDir>]

Prints the job behind an output file (found by its SHA-256) or a job id: its inputs, request,
stages (prompt, seed, engine/model, cost) and, recursively, the jobs that made its inputs.

Exit codes: 0 found, 1 nothing known about the target.`;

/** The options of `darkroom lineage`. */
export const options = COMMON_OPTIONS;

/** `darkroom lineage <output file | job id>` from the command line. */
export async function run(args: CommandArgs, context: CommandContext): Promise<number> {
  const [target = ''] = positionalsOf(args, { min: 1, max: 1 });
  return lineageCommand({ ...baseOptionsOf(context), target });
}

/** Options of {@link lineageCommand}. */
export interface LineageCommandOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  /** An output file, or a job id. */
  target: string;
  resultsDir: string;
  log: Logger;
  print: (line: string) => void;
}

/**
 * `darkroom lineage <output file | job id>`: prints the chain of jobs, stages and inputs
 * behind an output.
 * @returns the exit code (1 when nothing is known about the target)
 */
export async function lineageCommand(options: LineageCommandOptions): Promise<number> {
  const looksLikePath = /[/\\]|\.[a-z0-9]{2,5}$/i.test(options.target);
  const isFile = await stat(options.target).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile && looksLikePath) {
    options.print(`No such file: ${resolve(options.target)}`);
    return 1;
  }
  // The file's own results folder, found from its path, wins over --out.
  const resultsDir =
    (isFile ? await findResultsDir(options.target) : undefined) ?? resolve(options.resultsDir);
  // A read-only command creates nothing: without a snapshot there is no local lineage to read.
  if (!options.env.FIRESTORE_EMULATOR_HOST && !(await hasSnapshot(resultsDir))) {
    options.print(
      `No lineage in ${resultsDir} (no ${SNAPSHOT_FILE}): run \`darkroom run\` with --out ${resultsDir} first.`,
    );
    return 1;
  }
  const env = await openLocalEnvironment({
    config: options.config,
    env: options.env,
    resultsDir,
    log: options.log,
  });
  try {
    const { lineage } = env.deps;
    let jobId = options.target;
    if (isFile) {
      const assetId = hashBytes(await readFile(options.target));
      const asset = await lineage.getAsset(assetId);
      const place = jobFileOf(resultsDir, options.target);
      if (asset?.producedBy) {
        options.print(
          `${resolve(options.target)}\n  sha256 ${assetId}\n  ${asset.producedBy.role} output of job ${asset.producedBy.jobId}` +
            `${asset.producedBy.stage ? `, stage ${asset.producedBy.stage}` : ''}\n`,
        );
        jobId = asset.producedBy.jobId;
      } else if (place && (await lineage.getJob(place.jobId))) {
        // compare.jpg, manifest.json, error.json are files of the job, not content-addressed assets.
        options.print(`${resolve(options.target)}\n  ${place.role} of job ${place.jobId}\n`);
        jobId = place.jobId;
      } else {
        options.print(
          `No lineage for ${resolve(options.target)} (sha256 ${assetId}): not an output of the results folder ${resultsDir}.`,
        );
        return 1;
      }
    }
    const trace = await traceJob(lineage, jobId);
    if (!trace) {
      options.print(`No job ${jobId} in the lineage of ${resultsDir}.`);
      return 1;
    }
    options.print(renderTrace(trace, '', { results: { bucket: env.deps.results.bucket, dir: resultsDir } }));
    return 0;
  } finally {
    await env.close();
  }
}
