import { describe, expect, it } from 'vitest';
import { tabwrite, tabwriteTable } from './tabwriter.ts';

describe("Go's tabwriter with docker's settings", () => {
  it('pads tab-terminated cells to the widest cell + 3, at least 10, never the last cell', () => {
    expect(tabwrite('A\tBB\tC\nlonger-cell\tx\tlast\n')).toBe('A             BB        C\nlonger-cell   x         last\n');
  });

  it('aligns a column only over the consecutive lines that have it', () => {
    // The middle line has one cell: it ends the block, so the two tables align independently.
    expect(tabwrite('a\tb\nsection\nvery-long-name\tz\n')).toBe('a         b\nsection\nvery-long-name   z\n');
  });

  it('counts runes, not bytes', () => {
    expect(tabwrite('é…\tx\nab\ty\n')).toBe('é…        x\nab        y\n');
  });

  it('counts a character outside the BMP (a surrogate pair) as one rune, a lone surrogate as one', () => {
    expect(tabwrite('😀\tx\nab\ty\n')).toBe(`😀${' '.repeat(9)}x\nab        y\n`);
    expect(tabwrite('\ud800a\tx\n')).toBe(`\ud800a${' '.repeat(8)}x\n`);
  });

  it('keeps an unterminated last line as is', () => {
    expect(tabwrite('a\tb')).toBe('a         b');
  });

  it('writes a table given as cells as it writes the joined text, and declines what it would cut or count otherwise', () => {
    // Deterministic pseudo-random tables: cells of 0–24 ASCII characters, 1–6 columns, 0–40 rows.
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let t = 0; t < 300; t++) {
      const columns = 1 + next(6);
      const lines = Array.from({ length: 1 + next(40) }, () => Array.from({ length: columns }, () => 'x'.repeat(next(25)).replace(/x/g, () => String.fromCharCode(32 + next(95)))));
      expect(tabwriteTable(lines)).toBe(tabwrite(lines.map((l) => `${l.join('\t')}\n`).join('')));
    }
    expect(tabwriteTable([])).toBe('');
    for (const odd of ['a\tb', 'a\nb', '😀', '\ud800']) expect(tabwriteTable([['h1', 'h2'], [odd, 'y']])).toBeUndefined();
    expect(tabwriteTable([['h1', 'h2'], ['only one']])).toBeUndefined();
  });
});
