import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { StrataError, errorCode } from '../../../shared/errors.ts';

/** `<root>/registries.json`: per-registry settings, like the daemon.json keys docker reads. */
export interface RegistrySettings {
  /** Registries (host[:port]) or IPv4 CIDRs reached over plain HTTP or unverified TLS. */
  insecure: string[];
}

export function readRegistrySettings(root: string): RegistrySettings {
  const file = join(root, 'registries.json');
  if (!existsSync(file)) return { insecure: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { insecure?: unknown };
    const insecure = Array.isArray(parsed.insecure) ? parsed.insecure.filter((x): x is string => typeof x === 'string') : [];
    return { insecure };
  } catch (err) {
    throw new StrataError(errorCode(err) === 'not-found' ? 'invalid' : errorCode(err), `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The host that serves a domain's API: Docker Hub's `docker.io` is `registry-1.docker.io`. */
export function apiHost(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? 'registry-1.docker.io' : domain;
}

/** Docker's default insecure CIDR: the daemon trusts 127.0.0.0/8 over plain HTTP out of the box. */
const DEFAULT_INSECURE_CIDRS = ['127.0.0.0/8'];

function hostOnly(host: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracket) return bracket[1]!;
  const colon = host.lastIndexOf(':');
  return colon === -1 || host.indexOf(':') !== colon ? host : host.slice(0, colon);
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (!base || bits === undefined || isIP(base) !== 4 || isIP(ip) !== 4) return false;
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}

/**
 * Whether docker would treat `host` (host[:port]) as insecure: listed by name, or an address of
 * it inside an insecure CIDR (127.0.0.0/8 always, as the daemon's default). Names are resolved
 * like docker's isSecureIndex does, so `localhost:5000` is insecure too.
 */
export async function isInsecureRegistry(host: string, settings: RegistrySettings, force = false): Promise<boolean> {
  if (force) return true;
  if (settings.insecure.includes(host)) return true;
  const cidrs = [...DEFAULT_INSECURE_CIDRS, ...settings.insecure.filter((s) => s.includes('/'))];
  const name = hostOnly(host);
  let addresses: string[];
  if (isIP(name)) addresses = [name];
  else {
    try {
      addresses = (await lookup(name, { all: true })).map((a) => a.address);
    } catch {
      return false;
    }
  }
  return addresses.some((ip) => cidrs.some((c) => inCidr(ip, c)));
}
