/**
 * An OIDC-shaped ID token like the one Cloud Tasks puts in `Authorization: Bearer` for a task
 * with `oidcToken`: a JWT whose claims are those of a Google-signed service-account ID token
 * (`iss` accounts.google.com, `aud`, `azp`, `email`, `email_verified`, `sub`, `iat`, `exp`).
 * The signature is not Google's (nothing here can produce one), so a worker can only check it
 * structurally; in production Cloud Run's IAM check verifies it before the request arrives.
 */
export function oidcToken(claims: { email: string; audience: string; nowMs: number }): string {
  const iat = Math.floor(claims.nowMs / 1000);
  const header = { alg: 'RS256', kid: 'cloud-tasks-test-server', typ: 'JWT' };
  const payload = {
    iss: 'https://accounts.google.com',
    aud: claims.audience,
    azp: '100000000000000000000',
    email: claims.email,
    email_verified: true,
    sub: '100000000000000000000',
    iat,
    exp: iat + 3600,
  };
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part(header)}.${part(payload)}.${Buffer.from('test-signature').toString('base64url')}`;
}
