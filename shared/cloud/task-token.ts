/**
 * A structural check of the OIDC bearer token Cloud Tasks adds to a task with `oidcToken`.
 *
 * It cannot verify Google's signature (no key set is reachable here, and none is needed in
 * production): the real gate is Cloud Run's IAM check, which verifies the signature and admits
 * only principals with `roles/run.invoker` on the worker before the request reaches the code.
 * This check adds defence in depth and catches misconfiguration: a token minted for another
 * audience, another account, an expired one, or a request with no token at all.
 */

/** The claims the check reads. */
interface IdTokenClaims {
  iss?: unknown;
  aud?: unknown;
  email?: unknown;
  email_verified?: unknown;
  exp?: unknown;
}

const ISSUERS = new Set(['https://accounts.google.com', 'accounts.google.com']);

/**
 * @param authorization the `Authorization` header
 * @param expected the worker URL (audience), the invoker account and the current time (the
 *   Cloud Scheduler function passes its own URL and account, and their variables' `names`)
 * @returns why the token is refused, or undefined when it has the expected shape and claims
 * @example verifyTaskToken(req.headers.authorization, { audience: RUN_STAGE_URL, email: INVOKER, nowMs: Date.now() })
 */
export function verifyTaskToken(
  authorization: string | undefined,
  expected: {
    audience: string;
    email: string;
    nowMs: number;
    /** The variables naming the audience and the account, for the messages. */
    names?: { audience: string; email: string } | undefined;
  },
): string | undefined {
  const names = expected.names ?? { audience: 'RUN_STAGE_URL', email: 'TASK_INVOKER_ACCOUNT' };
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
  if (!match) return 'no OIDC bearer token';
  let header: { alg?: unknown };
  let claims: IdTokenClaims;
  try {
    header = JSON.parse(Buffer.from(match[1] as string, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(match[2] as string, 'base64url').toString('utf8'));
  } catch {
    return 'the bearer token is not a JWT';
  }
  if (header.alg !== 'RS256') return `token algorithm ${String(header.alg)} is not RS256`;
  if (!ISSUERS.has(String(claims.iss))) return `token issuer ${String(claims.iss)} is not Google`;
  if (claims.aud !== expected.audience) {
    return `token audience ${String(claims.aud)} is not this worker (${names.audience})`;
  }
  if (claims.email !== expected.email || claims.email_verified !== true) {
    return `token account ${String(claims.email)} is not the invoker (${names.email})`;
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= expected.nowMs) return 'the token has expired';
  return undefined;
}
