import { describe, expect, it } from 'vitest';
import { tabwrite } from './tabwriter.ts';

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
});
