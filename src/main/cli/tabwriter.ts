/**
 * Go's text/tabwriter as docker/cli configures it (minwidth 10, tabwidth 1, padding 3, ' '):
 * cells are tab-terminated, the last cell of a line is never aligned, and a column's width is
 * computed per block of consecutive lines that have a cell in that column. Widths count runes.
 */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

export const DOCKER_TABWRITER: TabwriterOptions = { minWidth: 10, padding: 3 };

type Line = string[];

/** The marker after a line that ended with a newline (one shared empty line: compared by length). */
const NEWLINE: Line = [];
/** A high surrogate: where a cell's runes are fewer than its UTF-16 units. */
const SURROGATE = /[\uD800-\uDBFF]/;
const utf16Length = (s: string): number => s.length;

export function tabwrite(text: string, options: TabwriterOptions = DOCKER_TABWRITER): string {
  // Without a surrogate pair (a character beyond the BMP) a cell's runes are its UTF-16 length: no cell needs counting.
  const width = SURROGATE.test(text) ? runeCount : utf16Length;
  // A line without a tab ends the block (Go flushes there), so blocks format independently.
  const endsWithNewline = text.endsWith('\n');
  const rawLines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  let out = '';
  let block: Line[] = [];
  const flush = (): void => {
    if (block.length > 0) out += formatBlock(block, options, width);
    block = [];
  };
  for (let i = 0; i < rawLines.length; i++) {
    const cells = rawLines[i]!.split('\t');
    block.push(cells);
    if (i < rawLines.length - 1 || endsWithNewline) block.push(NEWLINE);
    if (cells.length === 1) flush();
  }
  flush();
  return out;
}

/** Formats lines (each followed by a `[]` newline marker) of one block. */
function formatBlock(items: Line[], options: TabwriterOptions, cellWidth: (s: string) => number): string {
  const lines: Line[] = [];
  const newline: boolean[] = [];
  for (const item of items) {
    if (item.length === 0) newline[lines.length - 1] = true;
    else lines.push(item);
  }
  let out = '';
  const widths: number[] = [];
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      for (let j = 0; j < line.length; j++) {
        const cell = line[j]!;
        out += cell;
        if (j < widths.length && j < line.length - 1) out += spaces(widths[j]! - cellWidth(cell));
      }
      if (newline[i]) out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      writeLines(start, t);
      start = t;
      let width = options.minWidth;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, cellWidth(line[column]!) + options.padding);
      }
      widths.push(width);
      format(start, t);
      widths.pop();
      start = t;
      t--; // the outer loop's t++ revisits the line that ended the block
    }
    writeLines(start, line1);
  };
  // A table (every line has the same cells: a listing's header and rows): each aligned column
  // spans every line, which is what format() finds, here in one pass per column.
  const cells = lines[0]!.length;
  if (lines.every((l) => l.length === cells)) {
    widths.push(...tableWidths(lines, options, cellWidth));
    writeLines(0, lines.length);
    return out;
  }
  format(0, lines.length);
  return out;
}

/** Each column's width but the last's, for lines that all have the same cells (one pass over them, run once per listing: plain loops). */
function tableWidths(lines: readonly (readonly string[])[], options: TabwriterOptions, cellWidth: (s: string) => number): number[] {
  const columns = lines[0]!.length - 1;
  const widths: number[] = [];
  for (let column = 0; column < columns; column++) widths.push(options.minWidth - options.padding);
  const count = cellWidth === utf16Length ? undefined : cellWidth;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (let column = 0; column < columns; column++) {
      const w = count ? count(line[column]!) : line[column]!.length;
      if (w > widths[column]!) widths[column] = w;
    }
  }
  for (let column = 0; column < columns; column++) widths[column]! += options.padding;
  return widths;
}

/** What makes `tabwrite` cut a line otherwise (a tab, a newline) or count runes (a surrogate). */
const NOT_PLAIN = /[\t\n\uD800-\uDBFF]/;

/**
 * `tabwrite` of a table given as cells, every line with the same number of cells and each
 * followed by a newline: the same text, without joining the cells into one string to cut it up
 * again. undefined when a line differs in cells or holds a tab, a newline or a surrogate (then
 * `tabwrite` the joined text).
 */
export function tabwriteTable(lines: readonly (readonly string[])[], options: TabwriterOptions = DOCKER_TABWRITER): string | undefined {
  if (lines.length === 0) return '';
  const cells = lines[0]!.length;
  if (cells === 0 || lines.some((l) => l.length !== cells)) return undefined;
  const widths = tableWidths(lines, options, utf16Length);
  const last = widths.length;
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let text = '';
    for (let j = 0; j < last; j++) {
      const cell = line[j]!;
      text += cell + spaces(widths[j]! - cell.length);
    }
    text += line[last]!;
    if (NOT_PLAIN.test(text)) return undefined;
    out += `${text}\n`;
  }
  return out;
}

const SPACES: string[] = [];

/** `n` spaces (none for n ≤ 0), each length made once: a table pads every cell. */
function spaces(n: number): string {
  if (n <= 0) return '';
  return (SPACES[n] ??= ' '.repeat(n));
}

/** Code points, as Go counts runes: the length less each surrogate pair's second half (no iterator: a table of 1,000 rows counts every cell twice). */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
