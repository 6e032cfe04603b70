/**
 * The feed in docker's words: filters as moby's daemon/events/filter.go applies them, the
 * events.Message JSON of /events and `docker events --format json`, and docker's timestamps
 * (api/types/time GetTimestamp for --since/--until, RFC3339NanoFixed for printed lines). Shared
 * by `strata events` and the Engine API service.
 */
import { StrataError } from '../../../shared/errors.ts';
import type { StoreEvent } from './event-log.ts';

export type EventFilters = Record<string, string[]>;

const ACCEPTED_FILTERS = new Set(['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume']);

/** `--filter key=value` arguments → filters, refusing keys docker refuses. */
export function parseEventFilters(args: readonly string[]): EventFilters {
  const out: EventFilters = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new StrataError('invalid', `bad format of filter (expected name=value)`);
    const key = a.slice(0, eq).trim().toLowerCase();
    if (!ACCEPTED_FILTERS.has(key)) throw new StrataError('invalid', `invalid filter '${key}'`);
    (out[key] ??= []).push(a.slice(eq + 1).trim());
  }
  return out;
}

/** docker's Args.ExactMatch: no values for the key matches everything. */
function exact(f: EventFilters, key: string, source: string): boolean {
  const values = f[key];
  return !values || values.length === 0 || values.includes(source);
}

/** docker's Args.FuzzyMatch: an exact value or a prefix of the source. */
function fuzzy(f: EventFilters, key: string, source: string): boolean {
  const values = f[key];
  return !values || values.length === 0 || values.some((v) => source === v || source.startsWith(v));
}

function fuzzyName(f: EventFilters, key: string, e: StoreEvent): boolean {
  return fuzzy(f, key, e.id) || fuzzy(f, key, e.attributes.name ?? '');
}

/** `busybox:latest` → `busybox`; a digest reference keeps its name. */
function stripTag(image: string): string {
  const at = image.indexOf('@');
  if (at !== -1) return image.slice(0, at);
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
}

/** moby's matchImage: the image's ID or name, or a container's image, with or without its tag. */
function matchImage(f: EventFilters, e: StoreEvent): boolean {
  const name = (e.type === 'image' ? e.attributes.name : e.attributes.image) ?? '';
  return exact(f, 'image', e.id) || exact(f, 'image', name) || exact(f, 'image', stripTag(e.id)) || exact(f, 'image', stripTag(name));
}

function matchLabels(f: EventFilters, attributes: Record<string, string>): boolean {
  return (f.label ?? []).every((l) => {
    const eq = l.indexOf('=');
    if (eq === -1) return Object.hasOwn(attributes, l);
    const k = l.slice(0, eq);
    return Object.hasOwn(attributes, k) && attributes[k] === l.slice(eq + 1);
  });
}

/** moby's Filter.Include. */
export function matchesFilters(f: EventFilters, e: StoreEvent): boolean {
  const execLike = (f.event ?? []).some((v) => v === 'exec_create' || v === 'exec_start' || v === 'health_status');
  return (
    (execLike ? fuzzy(f, 'event', e.action) : exact(f, 'event', e.action)) &&
    exact(f, 'type', e.type) &&
    exact(f, 'scope', 'local') &&
    (exact(f, 'daemon', e.id) || exact(f, 'daemon', e.attributes.name ?? '')) &&
    ['container', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config'].every((k) => fuzzyName(f, k, e)) &&
    matchImage(f, e) &&
    matchLabels(f, e.attributes)
  );
}

/** docker's events.Message, the deprecated status/id/from filled for containers and images as the daemon does. */
export interface DockerMessage {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: bigint;
}

export function dockerMessage(e: StoreEvent): DockerMessage {
  const legacy = e.type === 'container'
    ? { status: e.action, id: e.id, from: e.attributes.image ?? '' }
    : e.type === 'image' ? { status: e.action, id: e.id } : {};
  return {
    ...legacy, Type: e.type, Action: e.action, Actor: { ID: e.id, Attributes: e.attributes }, scope: 'local',
    time: Number(e.timeNano / 1_000_000_000n), timeNano: e.timeNano,
  };
}

/** The message as Go's json.Marshal writes it (timeNano exact, omitempty legacy fields left out when empty). */
export function dockerMessageJson(m: DockerMessage): string {
  const { timeNano, ...rest } = m;
  for (const k of ['status', 'id', 'from'] as const) if (!rest[k]) delete rest[k];
  const json = JSON.stringify({ ...rest, timeNano: 0 }).replace(/"timeNano":0}$/, `"timeNano":${timeNano}}`);
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** docker's pretty line: `2026-12-01T10:00:00.000000000Z image tag sha256:… (name=a:1)`, attributes by key. */
export function dockerEventLine(e: StoreEvent, offsetMinutes = localOffsetMinutes(e.timeNano)): string {
  const keys = Object.keys(e.attributes).sort();
  const attrs = keys.length > 0 ? ` (${keys.map((k) => `${k}=${e.attributes[k]}`).join(', ')})` : '';
  return `${rfc3339NanoFixed(e.timeNano, offsetMinutes)} ${e.type} ${e.action} ${e.id}${attrs}`;
}

function localOffsetMinutes(ns: bigint): number {
  return -new Date(Number(ns / 1_000_000n)).getTimezoneOffset();
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Go's "2006-01-02T15:04:05.000000000Z07:00" in a zone `offsetMinutes` east of UTC. */
export function rfc3339NanoFixed(ns: bigint, offsetMinutes: number): string {
  const seconds = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const frac = ns - seconds * 1_000_000_000n;
  const d = new Date(Number(seconds) * 1000 + offsetMinutes * 60_000);
  const zone = offsetMinutes === 0 ? 'Z' : `${offsetMinutes > 0 ? '+' : '-'}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${String(frac).padStart(9, '0')}${zone}`;
}

const GO_DURATION = /^[-+]?(?:[0-9]*(?:\.[0-9]*)?(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * `--since`/`--until` as docker's GetTimestamp reads them, in unix nanoseconds: a Go duration
 * before `nowMs` (whole seconds, as docker sends), an RFC3339-like date (local time without a
 * zone), or a unix timestamp `seconds[.nanoseconds]`.
 */
export function parseDockerTimestamp(value: string, nowMs = Date.now()): bigint {
  const v = value.trim();
  if (v !== '0' && GO_DURATION.test(v)) {
    let ns = 0;
    for (const [, num, unit] of v.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(num || 0) * UNIT_NS[unit!]!;
    if (v.startsWith('-')) ns = -ns; // Go's ParseDuration takes a sign: `--until -1m` is a minute from now
    return BigInt(Math.floor((nowMs - ns / 1e6) / 1000)) * 1_000_000_000n;
  }
  const m = DATE_TIME.exec(v);
  if (m) return dateTimeNano(m, v);
  if (v.includes('-')) throw new StrataError('invalid', `parsing time "${v}": cannot parse "${v}" as a timestamp`);
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (!unix) throw new StrataError('invalid', `failed to parse value as time or duration: "${v}"`);
  return BigInt(unix[1]!) * 1_000_000_000n + BigInt((unix[2] ?? '').padEnd(9, '0') || '0');
}

function dateTimeNano(m: RegExpExecArray, value: string): bigint {
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const zone = m[8];
  let ms: number;
  if (!zone) ms = new Date(year, month - 1, day, hour, minute, second).getTime();
  else {
    ms = Date.UTC(year, month - 1, day, hour, minute, second);
    if (zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    }
  }
  if (!Number.isFinite(ms)) throw new StrataError('invalid', `parsing time "${value}": out of range`);
  return BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
}
