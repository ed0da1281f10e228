import { z } from 'zod';

/**
 * Bounds of free-form JSON in a request (`extra`). The job record stores the request a few
 * levels down (`request.stages[i].extra`), and Firestore refuses a document whose maps and
 * arrays nest deeper than 20 levels or whose field names are over 1,500 bytes
 * (https://firebase.google.com/docs/firestore/quotas#limits), on every attempt alike: so the
 * request is refused at validation instead.
 */
export const EXTRA_LIMITS = { maxDepth: 8, maxKeys: 64, maxKeyLength: 128 } as const;

/** A JSON object whose nesting, keys per object and key lengths are bounded ({@link EXTRA_LIMITS}). */
export const BoundedJsonObjectSchema = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = _firstProblem(value, 1);
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});

function _firstProblem(value: unknown, depth: number): { path: PropertyKey[]; message: string } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > EXTRA_LIMITS.maxDepth) {
    return { path: [], message: `nests deeper than ${EXTRA_LIMITS.maxDepth} levels` };
  }
  const entries: [PropertyKey, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  if (!Array.isArray(value) && entries.length > EXTRA_LIMITS.maxKeys) {
    return { path: [], message: `has ${entries.length} keys; at most ${EXTRA_LIMITS.maxKeys} are allowed` };
  }
  for (const [key, child] of entries) {
    if (typeof key === 'string' && key.length > EXTRA_LIMITS.maxKeyLength) {
      return { path: [], message: `has a key longer than ${EXTRA_LIMITS.maxKeyLength} characters` };
    }
    const inner = _firstProblem(child, depth + 1);
    if (inner) return { path: [key, ...inner.path], message: inner.message };
  }
  return undefined;
}
