import { describe, expect, it } from 'vitest';
import { humanDuration, humanSize, transferFigures } from './units.ts';

const DAY = 86_400_000;

/** One rule per number: the CLI and the UI format sizes and durations through these. */
describe('docker units, once', () => {
  it('sizes: go-units HumanSizeWithPrecision(size, 3), exponent form included', () => {
    expect(humanSize(999_999)).toBe('1e+03kB');
    expect(humanSize(1_000_000)).toBe('1MB');
    expect(humanSize(1_234)).toBe('1.23kB');
  });

  it('durations: go-units HumanDuration, weeks after two weeks', () => {
    expect(humanDuration(21 * DAY)).toBe('3 weeks');
    expect(humanDuration(13 * DAY)).toBe('13 days');
    expect(humanDuration(90 * DAY)).toBe('3 months');
  });
});

describe('transfer figures, as docker prints a layer\'s progress', () => {
  it('bytes over the total, speed since the start and the time left at that speed', () => {
    // 12.3 MB of 45.6 MB in 3 s: 4.1 MB/s, 33.3 MB to go → 8 s.
    expect(transferFigures(12_300_000, 45_600_000, 0, 3000)).toEqual({ bytes: '12.3MB/45.6MB', perSecond: '4.1MB/s', left: '8s' });
    expect(transferFigures(1_000_000, 300_000_000, 0, 1000).left).toBe('4m59s');
  });

  it('no speed before the first byte, no time left once done or without a total', () => {
    expect(transferFigures(0, 45_600_000, 0, 3000)).toEqual({ bytes: '0B/45.6MB' });
    expect(transferFigures(45_600_000, 45_600_000, 0, 2000)).toEqual({ bytes: '45.6MB/45.6MB', perSecond: '22.8MB/s' });
    expect(transferFigures(5_000, undefined, 0, 1000)).toEqual({ bytes: '5kB', perSecond: '5kB/s' });
  });
});
