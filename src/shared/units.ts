/**
 * docker's go-units rules, byte for byte, shared by the CLI and the UI so both print the same:
 * HumanSizeWithPrecision (base 1000, Go's `%.*g`: 999,999 bytes is `1e+03kB`) and HumanDuration
 * ("About an hour", "3 weeks").
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSizeWithPrecision: `images` uses precision 3, `system df` (HumanSize) uses 4. */
export function humanSize(bytes: number, precision = 3): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG(size, precision)}${DECIMAL_UNITS[i]}`;
}

/** go-units HumanSize (4 significant digits), what `system df` and prune print. */
export function humanSize4(bytes: number): string {
  return humanSize(bytes, 4);
}

/** Go's `%.*g`: shortest of %e/%f with `precision` significant digits, trailing zeros dropped. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1) {
    // What every size takes: toPrecision rounds as %g does and, with an exponent ≥ 0, writes
    // fixed notation exactly when %g does (below the precision): one conversion, no pattern.
    const s = value.toPrecision(precision);
    if (!s.includes('e')) return trimZeros(s);
  }
  const exp = Number(value.toExponential(precision - 1).split('e')[1]);
  if (exp < -4 || exp >= precision) {
    const [mant, e] = value.toExponential(precision - 1).split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = value.toFixed(Math.max(0, precision - 1 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** `12.50` → `12.5`, `3.00` → `3` (%g drops trailing zeros and a bare point). */
function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** go-units HumanDuration for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** Go's time.Duration.String for whole seconds: `0s`, `45s`, `1m5s`, `2h0m3s` (docker's time left). */
export function goDuration(seconds: number): string {
  const h = Math.trunc(seconds / 3600);
  const m = Math.trunc((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * A transfer's figures as docker's progress line has them (jsonmessage.JSONProgress): `12.35MB/45.6MB`
 * (just the bytes once past the total or with none), the mean speed since it started and the time
 * left at that speed (whole seconds; none before the first byte or once done).
 */
export function transferFigures(current: number, total: number | undefined, startMs: number, now: number): { bytes: string; perSecond?: string; left?: string } {
  const bytes = total && total > 0 && current <= total ? `${humanSize4(current)}/${humanSize4(total)}` : humanSize4(current);
  const elapsed = (now - startMs) / 1000;
  if (current <= 0 || elapsed <= 0) return { bytes };
  const perSecond = `${humanSize4(current / elapsed)}/s`;
  if (!total || current >= total) return { bytes, perSecond };
  return { bytes, perSecond, left: goDuration(Math.trunc((elapsed / current) * (total - current))) };
}
