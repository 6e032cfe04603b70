/** Locale-aware formatting for views. Sizes keep docker's base-1000 units in every language. */
import { useI18n } from 'vue-i18n';
import { shortId } from '../../shared/format.ts';
import { humanSize } from '../../shared/units.ts';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1],
];

/** "3 days ago" / "3일 전" for a unix time, relative to `now` (ms). */
export function relativeTime(locale: string, unixSeconds: number, now = Date.now()): string {
  const diff = unixSeconds - Math.floor(now / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, secs] of UNITS) {
    if (Math.abs(diff) >= secs || unit === 'second') return rtf.format(Math.trunc(diff / secs), unit);
  }
  return rtf.format(0, 'second');
}

export function useFormat() {
  const { locale, d, n } = useI18n();
  return {
    bytes: (n: number) => humanSize(n),
    shortId,
    /** Full date and time for a unix time, or '' when unknown (0). */
    date: (unix: number) => (unix > 0 ? d(new Date(unix * 1000), 'long') : ''),
    relative: (unix: number) => (unix > 0 ? relativeTime(locale.value, unix) : ''),
    count: (value: number) => n(value, 'integer'),
    percent: (value: number) => n(value, 'percent'),
  };
}
