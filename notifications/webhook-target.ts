import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Where an éditeur's webhook may go. An éditeur names the URL, and the engine's worker calls it from
 * inside the ASP's network: unchecked, that is a port scanner of the network (server-side request
 * forgery). So a webhook is HTTPS, its name is resolved by the engine, and every address it resolves
 * to must be a public unicast address — never loopback, link-local (the cloud metadata service,
 * 169.254.169.254), private, carrier-grade NAT (100.64/10, another cloud's metadata), unique-local
 * (fd00:ec2::254), multicast, unspecified, reserved, nor an IPv6 form that carries an IPv4 address
 * (IPv4-mapped ::ffff:a.b.c.d, 6to4, NAT64, Teredo). The check runs when the contact is saved and
 * again at each delivery, which then connects to the very address it checked (no DNS rebinding).
 *
 * Plain HTTP, and an address the check would refuse, only for the `host:port` an operator allows by
 * configuration (WEBHOOK_ALLOW_HTTP_HOSTS): a receiver on the operator's own network, a test's
 * listener; never an éditeur's choice.
 */
export interface WebhookPolicy {
  /** `host:port` entries (lowercase, IPv6 in brackets) allowed over plain HTTP, their address unchecked */
  allowHttp: ReadonlySet<string>;
}

export const strictPolicy: WebhookPolicy = { allowHttp: new Set() };

/** Why a URL is no webhook: a code of the catalogue's refusals, and the operators' detail. */
export class WebhookRefused extends Error {
  constructor(
    readonly code:
      'webhook_invalid_url' | 'webhook_https_required' | 'webhook_forbidden_address' | 'webhook_unresolvable',
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'WebhookRefused';
  }
}

/** A checked webhook: its URL and the address a delivery connects to. */
export interface WebhookTarget {
  url: URL;
  /** the name as TLS checks the certificate against (brackets of an IPv6 literal removed) */
  host: string;
  port: number;
  address: string;
  family: 4 | 6;
}

/** The range an address is in, when a webhook may not go there; undefined for a public unicast address. */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  // ipaddr.process reads an IPv4-mapped IPv6 address (::ffff:127.0.0.1) as the IPv4 address it is
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** The `host:port` of a URL as WEBHOOK_ALLOW_HTTP_HOSTS names it, the default port written out. */
export const hostPortOf = (url: URL) =>
  `${url.hostname.toLowerCase()}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;

type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });
const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Checks a webhook URL and resolves it to the address to connect to, or throws WebhookRefused. Every
 * address the name resolves to is checked (a name answering one public and one private address is
 * refused: which one a client picks is not ours to guess); the first is the one connected to.
 */
export async function resolveTarget(
  raw: string,
  policy: WebhookPolicy,
  lookup: Lookup = systemLookup,
): Promise<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookRefused('webhook_invalid_url', 'not a URL');
  }
  if (url.username || url.password)
    throw new WebhookRefused('webhook_invalid_url', 'a webhook URL carries no credentials (the secret signs it)');
  const trusted = policy.allowHttp.has(hostPortOf(url));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && trusted))
    throw new WebhookRefused('webhook_https_required', `${url.protocol} is not allowed: a webhook is https`);
  const host = bare(url.hostname);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      let timer: NodeJS.Timeout | undefined;
      addresses = await Promise.race([
        lookup(host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (err) {
      throw new WebhookRefused('webhook_unresolvable', `${host} does not resolve: ${(err as Error).message}`);
    }
    if (!addresses.length) throw new WebhookRefused('webhook_unresolvable', `${host} resolves to no address`);
  }
  if (!trusted)
    for (const { address } of addresses) {
      const range = forbiddenRange(address);
      if (range)
        throw new WebhookRefused(
          'webhook_forbidden_address',
          `${host} is ${address}, a ${range} address: a webhook goes to a public address`,
        );
    }
  const [first] = addresses;
  return { url, host, port, address: first!.address, family: first!.family === 6 ? 6 : 4 };
}
