/**
 * Sizes the way docker prints them (go-units HumanSizeWithPrecision, base 1000, 3 significant
 * digits): 0B, 999B, 1.23kB, 45.6MB, 1.2GB.
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG(size, 3)}${units[i]}`;
}

/** Go's %.*g: `precision` significant digits, no trailing zeros. */
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const s = value.toPrecision(precision);
  if (s.includes('e')) return String(Number(s));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
