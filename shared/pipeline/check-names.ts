import { PermanentError } from '../errors.js';
import { FORMAT_FILES } from '../imaging/index.js';
import type { Request } from '../request/index.js';
import type { JobContext } from './job-context.js';
import { COMPARE_FILE, MANIFEST_FILE, MAX_OBJECT_NAME_BYTES, outputName, stageOutputName } from './layout.js';
import type { PlannedStage } from './types.js';

/** The longest stage file extension (`webp`), so the check holds whatever an engine returns. */
const LONGEST_STAGE_EXT = 'webp';

/**
 * Every name the job may write, as planned: each stage's output (every variant, and an added
 * upscale stage), the final image and each named size in each format, the sheet and the manifest.
 */
export function plannedOutputNames(prefix: string, request: Request, stages: PlannedStage[]): string[] {
  const stageNames = stages.flatMap((s) =>
    s.seeds.map((_, k) =>
      stageOutputName(
        prefix,
        s.index,
        `${s.stage.name}${s.seeds.length > 1 ? `-v${k + 1}` : ''}`,
        LONGEST_STAGE_EXT,
      ),
    ),
  );
  const upscale = stageOutputName(prefix, 1, 'upscale', LONGEST_STAGE_EXT);
  const roles = [
    ...request.output.formats.map((f) => ['final', f] as const),
    ...Object.entries(request.output.sizes ?? {}).flatMap(([name, size]) =>
      (size.formats ?? request.output.formats).map((f) => [name, f] as const),
    ),
  ];
  return [
    ...stageNames,
    upscale,
    ...roles.map(([role, format]) => outputName(prefix, role, FORMAT_FILES[format].ext)),
    `${prefix}${COMPARE_FILE}`,
    `${prefix}${MANIFEST_FILE}`,
  ];
}

/**
 * Refuses, before any engine call, a job one of whose output names would be over Cloud Storage's
 * 1,024-byte limit (a long input name plus `<stem>/<jobId>/<file>`): the write would fail after
 * the model was paid. The error report itself goes to a shortened location (`errorReportName`).
 * @throws PermanentError `OUTPUT_NAME_TOO_LONG`, naming the longest output and its length
 */
export function checkOutputNames(
  ctx: Pick<JobContext, 'prefix'>,
  request: Request,
  stages: PlannedStage[],
): void {
  const names = plannedOutputNames(ctx.prefix, request, stages);
  const longest = names.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a));
  const bytes = Buffer.byteLength(longest);
  if (bytes <= MAX_OBJECT_NAME_BYTES) return;
  const over = bytes - MAX_OBJECT_NAME_BYTES;
  throw new PermanentError(
    'OUTPUT_NAME_TOO_LONG',
    `the output ${longest.slice(ctx.prefix.length)} would have a ${bytes}-byte name, over Cloud Storage's ${MAX_OBJECT_NAME_BYTES}-byte limit: shorten the input's name (or its folders, stage or size names) by at least ${over} bytes`,
    { details: { longestBytes: bytes, limitBytes: MAX_OBJECT_NAME_BYTES } },
  );
}
