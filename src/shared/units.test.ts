import { describe, expect, it } from 'vitest';
import { humanDuration, humanSize } from './units.ts';

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
