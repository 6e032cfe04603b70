/** Small Go-compatible string helpers the parser relies on. */
import { isGoSpace } from '../shell/lex.ts';

/** strings.TrimLeftFunc(s, unicode.IsSpace) */
export function trimLeadingSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s[i]!)) i++;
  return s.slice(i);
}

/** strings.TrimSpace */
export function goTrimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s[end - 1]!)) end--;
  return trimLeadingSpace(s.slice(0, end));
}

/** bytes.TrimRight(s, "\r\n") */
export function trimNewline(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === '\n' || s[end - 1] === '\r')) end--;
  return s.slice(0, end);
}

/** BuildKit's reWhitespace: blanks other than newline. */
export const reWhitespace = /[\t\v\f\r ]+/;

/** regexp.Split(s, 2) with reWhitespace. */
export function splitOnceOnWhitespace(s: string): string[] {
  const m = reWhitespace.exec(s);
  if (!m) return [s];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

export function discardBOM(s: string): string {
  return s.startsWith('\ufeff') ? s.slice(1) : s;
}

/** Splits text into lines that keep their `\n` (BuildKit's scanLines). */
export function splitLinesKeepEnds(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      lines.push(text.slice(start));
      break;
    }
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  return lines;
}
