/**
 * docker's go-units helpers, byte for byte: HumanSizeWithPrecision (base 1000, Go's `%.*g`),
 * HumanDuration ("About an hour", "2 weeks"), and docker/cli's ID truncation and Ellipsis.
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

/** "2 weeks ago" from unix seconds, relative to `now` (ms). */
export function createdSince(createdSeconds: number, now: number): string {
  return `${humanDuration(now - createdSeconds * 1000)} ago`;
}

/** docker's stringid.TruncateID: drop the algorithm, keep 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** docker/cli formatter.Ellipsis: at most `max` runes, the last one "…" when cut. */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const runes = Array.from(s);
  if (runes.length <= max) return s;
  if (max === 1) return '…';
  return `${runes.slice(0, max - 1).join('')}…`;
}

/** Go's time.Time.String() in UTC: `2024-01-01 00:00:00 +0000 UTC`. */
export function goTimeString(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** RFC 3339 in UTC without fractional seconds (Go's time.RFC3339). */
export function rfc3339(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}
