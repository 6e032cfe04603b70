import { describe, expect, it } from 'vitest';
import type { StoreEvent } from './event-log.ts';
import {
  dockerEventLine, dockerMessage, dockerMessageJson, matchesFilters, parseDockerTimestamp, parseEventFilters, rfc3339NanoFixed,
} from './docker-message.ts';

const T = 1796119200_123456789n; // 2026-12-01T10:00:00.123456789Z

function ev(type: StoreEvent['type'], action: string, id: string, attributes: Record<string, string> = {}): StoreEvent {
  return { seq: 1, type, action, id, attributes, timeNano: T };
}

describe("docker's event output", () => {
  it("prints docker's line: RFC3339 with nanoseconds, attributes sorted by key", () => {
    const line = dockerEventLine(ev('container', 'die', 'abc', { name: 'c1', image: 'busybox', exitCode: '0' }), 0);
    expect(line).toBe('2026-12-01T10:00:00.123456789Z container die abc (exitCode=0, image=busybox, name=c1)');
    expect(dockerEventLine(ev('image', 'prune', '', { reclaimed: '0' }), 0)).toBe('2026-12-01T10:00:00.123456789Z image prune  (reclaimed=0)');
    expect(rfc3339NanoFixed(T, 540)).toBe('2026-12-01T19:00:00.123456789+09:00');
    expect(rfc3339NanoFixed(1_000_000_000n, -90)).toBe('1969-12-31T22:30:01.000000000-01:30');
  });

  it("writes docker's events.Message JSON with the exact timeNano and the legacy fields where the daemon fills them", () => {
    const json = dockerMessageJson(dockerMessage(ev('container', 'start', 'abc', { image: 'a<b', name: 'c1' })));
    expect(json).toBe(
      '{"status":"start","id":"abc","from":"a\\u003cb","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"a\\u003cb","name":"c1"}},"scope":"local","time":1796119200,"timeNano":1796119200123456789}',
    );
    expect(dockerMessageJson(dockerMessage(ev('builder', 'prune', '', { reclaimed: '5' })))).toBe(
      '{"Type":"builder","Action":"prune","Actor":{"ID":"","Attributes":{"reclaimed":"5"}},"scope":"local","time":1796119200,"timeNano":1796119200123456789}',
    );
  });
});

describe("docker's --since/--until timestamps", () => {
  const now = Date.UTC(2026, 11, 1, 10, 0, 30, 500);
  it('reads Go durations as whole seconds before now', () => {
    expect(parseDockerTimestamp('10m', now)).toBe(BigInt(Math.floor(now / 1000) - 600) * 1_000_000_000n);
    expect(parseDockerTimestamp('1h30m', now)).toBe(BigInt(Math.floor(now / 1000) - 5400) * 1_000_000_000n);
    expect(parseDockerTimestamp('0s', now)).toBe(BigInt(Math.floor(now / 1000)) * 1_000_000_000n);
    expect(parseDockerTimestamp('-1m', now)).toBe(BigInt(Math.floor(now / 1000) + 60) * 1_000_000_000n);
    expect(parseDockerTimestamp('+1m', now)).toBe(BigInt(Math.floor(now / 1000) - 60) * 1_000_000_000n);
  });
  it('reads RFC3339 forms, with a zone or in local time, and unix timestamps', () => {
    expect(parseDockerTimestamp('2026-12-01T10:00:00Z')).toBe(1796119200_000000000n);
    expect(parseDockerTimestamp('2026-12-01T11:00:00.5+01:00')).toBe(1796119200_500000000n);
    expect(parseDockerTimestamp('2026-12-01T10:00Z')).toBe(1796119200_000000000n);
    expect(parseDockerTimestamp('2026-12-01')).toBe(BigInt(new Date(2026, 11, 1).getTime()) * 1_000_000n);
    expect(parseDockerTimestamp('1796119200.123456789')).toBe(T);
    expect(parseDockerTimestamp('1796119200')).toBe(1796119200_000000000n);
    expect(() => parseDockerTimestamp('yesterday')).toThrow('failed to parse value as time or duration: "yesterday"');
    expect(() => parseDockerTimestamp('2026-13-45x')).toThrow(/parsing time/);
  });
});

describe("docker's event filters", () => {
  const die = ev('container', 'die', 'abc123', { image: 'busybox:latest', name: 'web', tier: 'front' });
  const tag = ev('image', 'tag', 'sha256:feed', { name: 'app:1' });
  const exec = ev('container', 'exec_start: sh -c date', 'abc123', { image: 'busybox', name: 'web', execID: 'e' });
  const match = (args: string[], e: StoreEvent) => matchesFilters(parseEventFilters(args), e);

  it('matches type and event exactly; exec_* and health_status by prefix', () => {
    expect(match(['type=image'], tag)).toBe(true);
    expect(match(['type=image'], die)).toBe(false);
    expect(match(['event=die', 'event=tag'], die) && match(['event=die', 'event=tag'], tag)).toBe(true);
    expect(match(['event=exec_start'], exec)).toBe(true);
    expect(match(['event=exec'], exec)).toBe(false);
  });

  it("matches containers by ID or name prefix, images by ID, name or a container's image, with or without the tag", () => {
    expect(match(['container=abc'], die)).toBe(true);
    expect(match(['container=we'], die)).toBe(true);
    expect(match(['container=zzz'], die)).toBe(false);
    expect(match(['image=busybox'], die)).toBe(true);
    expect(match(['image=app'], tag)).toBe(true);
    expect(match(['image=app:1'], tag)).toBe(true);
    expect(match(['image=sha256:feed'], tag)).toBe(true);
    expect(match(['image=app'], die)).toBe(false);
    expect(match(['label=tier=front'], die) && match(['label=tier'], die)).toBe(true);
    expect(match(['label=tier=back'], die)).toBe(false);
  });

  it('refuses filters docker refuses', () => {
    expect(() => parseEventFilters(['colour=red'])).toThrow("invalid filter 'colour'");
    expect(() => parseEventFilters(['type'])).toThrow(/bad format/);
  });
});
