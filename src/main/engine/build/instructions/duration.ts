import { StrataError } from '../../../../shared/errors.ts';
/** Go's time.ParseDuration and Duration.String, in nanoseconds (HEALTHCHECK uses both). */

const unitNs: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Parses `1h30m`, `1.5s`, `300ms`, `-2s`, `0`. Throws Go's message on bad input. */
export function parseGoDuration(s: string): number {
  const fail = (): never => {
    throw new StrataError('invalid', `time: invalid duration "${s}"`);
  };
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') fail();
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if ((m[1] ?? '') === '' && (m[2] ?? '') === '') fail();
    rest = rest.slice(m[0].length);
    const unit = /^[^\d.]+/.exec(rest)?.[0];
    if (unit === undefined) throw new StrataError('invalid', `time: missing unit in duration "${s}"`);
    const factor = unitNs[unit];
    if (factor === undefined) throw new StrataError('invalid', `time: unknown unit "${unit}" in duration "${s}"`);
    rest = rest.slice(unit.length);
    total += Number(m[1] || '0') * factor + (m[2] ? Math.round(Number('0.' + m[2]) * factor) : 0);
  }
  return sign * total;
}

/** Duration.String(): `1h2m3.5s`, `1.5ms`, `0s`. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.trunc(ns));
  let out: string;
  if (u < 1e9) {
    // Sub-second: the largest unit that keeps the integer part non-zero.
    const [unit, size] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = fraction(u, size) + unit;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = fraction(u, 1e9) + 's';
    if (h > 0 || m > 0) out = `${m}m` + out;
    if (h > 0) out = `${h}h` + out;
  }
  return (neg ? '-' : '') + out;
}

function fraction(value: number, size: number): string {
  const whole = Math.floor(value / size);
  const frac = value - whole * size;
  if (frac === 0) return String(whole);
  const digits = String(size).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}
