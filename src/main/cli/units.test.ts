import { describe, expect, it } from 'vitest';
import { ellipsis, formatG, humanDuration, humanSize, humanSize4, truncateId } from './units.ts';
import { statusText, type ContainerRecord } from '../engine/container/container-service.ts';

describe('go-units and docker/cli display helpers', () => {
  it('HumanSizeWithPrecision with Go %g, including its exponent form', () => {
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(999)).toBe('999B');
    expect(humanSize(1000)).toBe('1kB');
    expect(humanSize(2_127_000)).toBe('2.13MB');
    expect(humanSize4(2_127_000)).toBe('2.127MB');
    expect(humanSize(999_500)).toBe('1e+03kB'); // what docker prints: %.3g of 999.5
    expect(humanSize4(1_234_567_890)).toBe('1.235GB');
    expect(formatG(0.0001234, 3)).toBe('0.000123');
    expect(formatG(0.00001234, 3)).toBe('1.23e-05');
  });

  it('HumanDuration thresholds', () => {
    const s = 1000;
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1 * s)).toBe('1 second');
    expect(humanDuration(59 * s)).toBe('59 seconds');
    expect(humanDuration(60 * s)).toBe('About a minute');
    expect(humanDuration(59 * 60 * s)).toBe('59 minutes');
    expect(humanDuration(89 * 60 * s)).toBe('About an hour');
    expect(humanDuration(90 * 60 * s)).toBe('2 hours');
    expect(humanDuration(47 * 3600 * s)).toBe('47 hours');
    expect(humanDuration(48 * 3600 * s)).toBe('2 days');
    expect(humanDuration(14 * 86400 * s)).toBe('2 weeks');
    expect(humanDuration(60 * 86400 * s)).toBe('2 months');
    expect(humanDuration(730 * 86400 * s)).toBe('2 years');
  });

  it('TruncateID and Ellipsis', () => {
    expect(truncateId('sha256:87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7')).toBe('87428fc52280');
    expect(truncateId('image:tag')).toBe('tag');
    expect(ellipsis('abcdef', 6)).toBe('abcdef');
    expect(ellipsis('abcdefg', 6)).toBe('abcde…');
    expect(ellipsis('ääääää', 3)).toBe('ää…');
  });
});

describe("a container's STATUS", () => {
  const DAY = 86_400_000;
  it('is what ps, system df -v and the desktop all show: go-units HumanDuration', () => {
    const now = Date.now();
    expect(statusText({ state: 'running', startedAt: now - 21 * DAY } as ContainerRecord, now)).toBe('Up 3 weeks');
    expect(statusText({ state: 'exited', exitCode: 3, finishedAt: now - 21 * DAY } as ContainerRecord, now)).toBe('Exited (3) 3 weeks ago');
  });
});
