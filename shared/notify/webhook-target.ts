import { lookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook never goes to unless `WEBHOOK_ALLOW_PRIVATE` says so: loopback,
 * link-local (including the metadata server 169.254.169.254), private, CGNAT, unspecified,
 * unique-local IPv6 (RFC 1918, 3927, 4193, 6598, 6890).
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** @returns true for an address a webhook must not reach without `WEBHOOK_ALLOW_PRIVATE` */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1, ::ffff:7f00:1) reaches the IPv4 address.
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (mapped) {
    const v4 =
      mapped[1] ??
      [parseInt(mapped[2] ?? '0', 16), parseInt(mapped[3] ?? '0', 16)]
        .flatMap((n) => [n >> 8, n & 255])
        .join('.');
    return PRIVATE.check(v4, 'ipv4');
  }
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * @returns why a per-request `notify.url` is refused (its host is not one of `WEBHOOK_HOSTS`),
 *   or undefined when it is allowed
 */
export function webhookHostProblem(url: string, hosts: readonly string[]): string | undefined {
  const host = new URL(url).hostname.toLowerCase();
  if (hosts.includes(host)) return undefined;
  return hosts.length === 0
    ? `notify.url: this deployment accepts no per-request webhooks (WEBHOOK_HOSTS is empty); got host "${host}"`
    : `notify.url: host "${host}" is not one of WEBHOOK_HOSTS (${hosts.join(', ')})`;
}

/**
 * A DNS lookup for the HTTP client that refuses private addresses at connect time, so a name
 * that resolves (or re-resolves) to a private address is never connected to.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as { address: string; family: number }[];
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const error = Object.assign(
          new Error(
            `${hostname} resolves to ${refused.address}, a private, loopback or link-local address (WEBHOOK_ALLOW_PRIVATE=false)`,
          ),
          { code: 'EWEBHOOKPRIVATE' },
        );
        return callback(error, '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list as never);
      const first = list[0];
      return callback(null, first?.address ?? '', first?.family ?? 4);
    });
  };
}
