import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { hashBytes } from '../imaging/index.js';
import { renderTrace, traceJob } from '../lineage/trace.js';
import type { Logger } from '../log.js';
import { openLocalEnvironment } from '../runner/local-env.js';

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
  const env = await openLocalEnvironment({
    config: options.config,
    env: options.env,
    resultsDir: options.resultsDir,
    log: options.log,
  });
  try {
    const { lineage } = env.deps;
    let jobId = options.target;
    const isFile = await stat(options.target).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isFile) {
      const assetId = hashBytes(await readFile(options.target));
      const asset = await lineage.getAsset(assetId);
      if (!asset?.producedBy) {
        options.print(
          `No lineage for ${resolve(options.target)} (sha256 ${assetId}): not an output of this results folder.`,
        );
        return 1;
      }
      options.print(
        `${resolve(options.target)}\n  sha256 ${assetId}\n  ${asset.producedBy.role} output of job ${asset.producedBy.jobId}` +
          `${asset.producedBy.stage ? `, stage ${asset.producedBy.stage}` : ''}\n`,
      );
      jobId = asset.producedBy.jobId;
    }
    const trace = await traceJob(lineage, jobId);
    if (!trace) {
      options.print(`No job ${jobId} in the lineage of ${resolve(options.resultsDir)}.`);
      return 1;
    }
    options.print(renderTrace(trace));
    return 0;
  } finally {
    await env.close();
  }
}
