/**
 * Published ports as docker has them: `-p` specs (go-connections nat.ParsePortSpec), the
 * HostConfig.PortBindings they become, what a running container publishes (NetworkSettings.Ports)
 * and how the CLI shows them (`ps`' PORTS column, `port`). Plain data; the forwarding itself is
 * port-forwarder.ts.
 */
import { StrataError } from '../../../shared/errors.ts';

/** docker's PortBinding: `HostIp` '' means every address, `HostPort` '' a free port (or `8000-8010`: one of them). */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** docker's PortMap: `80/tcp` → bindings; `null` for a port that is exposed but not published. */
export type PortMap = Record<string, PortBinding[] | null>;

/** One row of the Engine API's container summary `Ports` (types.Port). */
export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function invalid(message: string): StrataError {
  return new StrataError('invalid', message);
}

/** nat.ParsePortRange: `80` or `8000-8010`. */
function portRange(s: string): [number, number] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  return start > 65535 || end > 65535 || end < start ? undefined : [start, end];
}

/** nat's splitParts: `[ip:][hostPort:]containerPort`, the IP may hold colons (IPv6). */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0]!];
  if (n === 2) return ['', parts[0]!, parts[1]!];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, parts[n - 1]!];
}

function hostAddress(ip: string): string {
  let addr = ip;
  if (addr.startsWith('[')) {
    if (!addr.endsWith(']')) throw invalid(`invalid IP address: ${ip}`);
    addr = addr.slice(1, -1);
  }
  if (addr !== '' && process.getBuiltinModule('node:net').isIP(addr) === 0) throw invalid(`invalid IP address: ${ip}`);
  return addr;
}

/**
 * One `-p`/`--publish` value → its port keys and bindings, as docker's nat.ParsePortSpec:
 * `8080:80`, `127.0.0.1:8080:80/udp`, `[::1]::80`, `8000-8001:80-81`, and `8000-8010:80` (one
 * free port of the range).
 */
export function parsePublishSpec(raw: string): { port: string; binding: PortBinding }[] {
  const [ip, hostPort, containerSpec] = splitParts(raw);
  const slash = containerSpec.indexOf('/');
  const containerPort = slash < 0 ? containerSpec : containerSpec.slice(0, slash);
  const proto = (slash < 0 ? 'tcp' : containerSpec.slice(slash + 1) || 'tcp').toLowerCase();
  const addr = hostAddress(ip);
  if (containerPort === '') throw invalid(`no port specified: ${raw}<empty>`);
  const inner = portRange(containerPort);
  if (!inner) throw invalid(`invalid containerPort: ${containerPort}`);
  const outer = hostPort === '' ? undefined : portRange(hostPort);
  if (hostPort !== '' && !outer) throw invalid(`invalid hostPort: ${hostPort}`);
  const count = inner[1] - inner[0];
  // A host range with one container port is a range to pick one free port from.
  if (outer && outer[1] - outer[0] !== count && count !== 0) {
    throw invalid(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  if (!PROTOCOLS.has(proto)) throw invalid(`invalid proto: ${proto}`);
  const out: { port: string; binding: PortBinding }[] = [];
  for (let i = 0; i <= count; i++) {
    let host = outer ? String(outer[0] + i) : '';
    if (outer && count === 0 && outer[0] !== outer[1]) host = `${outer[0]}-${outer[1]}`;
    out.push({ port: `${inner[0] + i}/${proto}`, binding: { HostIp: addr, HostPort: host } });
  }
  return out;
}

/** Every `-p` value → HostConfig.PortBindings (bindings of one port in the order given). */
export function parsePublishSpecs(specs: readonly string[]): Record<string, PortBinding[]> {
  const map: Record<string, PortBinding[]> = {};
  for (const s of specs) for (const { port, binding } of parsePublishSpec(s)) (map[port] ??= []).push(binding);
  return map;
}

/** `80/tcp` → its number and protocol. */
export function splitPortKey(key: string): { port: number; proto: string } {
  const slash = key.indexOf('/');
  return { port: Number(slash < 0 ? key : key.slice(0, slash)), proto: slash < 0 ? 'tcp' : key.slice(slash + 1) };
}

/** Numeric order of port keys (`80/tcp` before `443/tcp`), then protocol. */
export function comparePortKeys(a: string, b: string): number {
  const x = splitPortKey(a);
  const y = splitPortKey(b);
  return x.port - y.port || x.proto.localeCompare(y.proto);
}

/**
 * What a container asks to publish: its PortBindings, plus (with `-P`) every exposed port not
 * bound otherwise, on a free port of every address — docker's daemon does the same.
 */
export function requestedBindings(exposed: Record<string, object> | undefined, bindings: Record<string, PortBinding[]> | undefined, publishAll: boolean): Record<string, PortBinding[]> {
  const out: Record<string, PortBinding[]> = {};
  for (const [port, list] of Object.entries(bindings ?? {})) if (list.length > 0) out[port] = list.map((b) => ({ ...b }));
  if (publishAll) for (const port of Object.keys(exposed ?? {})) out[port] ??= [{ HostIp: '', HostPort: '' }];
  return out;
}

/**
 * NetworkSettings.Ports of a running container: each exposed port (`null` when it is not
 * published) and each published one with the addresses and ports really bound.
 */
export function networkPorts(exposed: Record<string, object> | undefined, published: PortMap): PortMap {
  const out: PortMap = {};
  const keys = [...new Set([...Object.keys(exposed ?? {}), ...Object.keys(published)])].sort(comparePortKeys);
  for (const k of keys) out[k] = published[k] ?? null;
  return out;
}

/** The Engine API's `Ports` list of a container summary (moby daemon/list.go). */
export function portSummaries(ports: PortMap): PortSummary[] {
  const out: PortSummary[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const { port, proto } = splitPortKey(key);
    if (!bindings || bindings.length === 0) out.push({ PrivatePort: port, Type: proto });
    else for (const b of bindings) out.push({ IP: b.HostIp, PrivatePort: port, PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}

/** Go's net.JoinHostPort: an IPv6 address goes in brackets. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function comparePorts(a: PortSummary, b: PortSummary): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ipA = a.IP ?? '';
  const ipB = b.IP ?? '';
  if (ipA !== ipB) return ipA < ipB ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const slash = key.lastIndexOf('/');
  const ip = slash < 0 ? '' : key.slice(0, slash);
  const type = slash < 0 ? key : key.slice(slash + 1);
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

/**
 * docker's PORTS column (cli formatter DisplayablePorts): consecutive ports published on the same
 * port numbers group into ranges (`0.0.0.0:80-81->80-81/tcp`), other mappings follow one by one
 * (`127.0.0.1:8080->80/tcp`), unpublished exposed ports show as `80/tcp`.
 */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const sorted = [...ports].sort(comparePorts);
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const p of sorted) {
    const current = p.PrivatePort;
    let key = p.Type;
    if (p.IP !== undefined && p.IP !== '') {
      if (p.PublicPort !== current) {
        mappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${current}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === g.last + 1) {
      g.last = current;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.delete(key);
    groups.set(key, { first: current, last: current });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...mappings].join(', ');
}

/**
 * `port CONTAINER [PRIVATE_PORT[/PROTO]]`, as docker's CLI prints it: `80/tcp -> 0.0.0.0:8080`
 * lines (or only the addresses for one port), in natural order.
 */
export function portLines(ports: PortMap, container: string, privatePort?: string): string[] {
  const out: string[] = [];
  if (privatePort !== undefined) {
    const [num, proto = 'tcp'] = privatePort.split('/');
    if (!/^\d+$/.test(num!) || Number(num) > 65535) throw invalid(`Error: invalid port (${num})`);
    const bindings = ports[`${Number(num)}/${proto}`];
    if (!bindings) throw new StrataError('not-found', `Error: No public port '${privatePort}' published for ${container}`);
    for (const b of bindings) out.push(joinHostPort(b.HostIp, b.HostPort));
  } else {
    for (const [key, bindings] of Object.entries(ports)) for (const b of bindings ?? []) out.push(`${key} -> ${joinHostPort(b.HostIp, b.HostPort)}`);
  }
  return out.sort(naturalCompare);
}

/** sortorder.NaturalLess: digit runs compare as numbers. */
function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const xs = a.match(re) ?? [];
  const ys = b.match(re) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}
