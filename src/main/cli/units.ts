/**
 * docker/cli's presentation helpers: "… ago", ID truncation, Ellipsis, Go's time formats. The
 * go-units rules (sizes, durations) live once in src/shared/units.ts, for the UI as well.
 */
import { humanDuration } from '../../shared/units.ts';
import { familiarString, parseReference } from '../engine/image/reference.ts';

export { formatG, goDuration, humanDuration, humanSize, humanSize4 } from '../../shared/units.ts';

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

/**
 * The IMAGE column (docker/cli formatter ContainerContext.Image): the short ID when the daemon
 * lists the image by its ID; else, truncated, the familiar name with its tag (a digest dropped);
 * with --no-trunc what the daemon lists.
 */
export function displayImage(image: string, imageId: string | undefined, trunc: boolean): string {
  if (image === '') return '<no image>';
  if (!trunc) return image;
  if (imageId && truncateId(imageId) === truncateId(image)) return truncateId(imageId);
  try {
    const ref = parseReference(image, { defaultTag: false });
    return familiarString({ domain: ref.domain, path: ref.path, ...(ref.tag !== undefined ? { tag: ref.tag } : {}) });
  } catch {
    return image;
  }
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
