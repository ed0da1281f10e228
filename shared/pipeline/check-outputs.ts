import { ValidationError } from '../errors.js';
import { outputLimitProblems } from '../imaging/index.js';
import type { Request } from '../request/index.js';
import type { JobContext } from './job-context.js';

/**
 * Refuses a request whose outputs, for an image of this size, would exceed `MAX_OUTPUT_PIXELS` or
 * a format's largest side. Run on the source before any engine call (engines that keep the size,
 * as the local one does, are fully covered there) and on the last stage's image before encoding
 * (a model that returned a larger image). The same request fails the same way on every attempt,
 * so the error is permanent.
 * @throws ValidationError `REQUEST_INVALID`, one issue per output that does not fit
 */
export function checkOutputLimits(
  ctx: Pick<JobContext, 'deps'>,
  request: Request,
  image: { width: number; height: number },
): void {
  const problems = outputLimitProblems(image, request.output, ctx.deps.config.limits.maxOutputPixels);
  if (problems.length > 0) throw new ValidationError('REQUEST_INVALID', problems);
}
