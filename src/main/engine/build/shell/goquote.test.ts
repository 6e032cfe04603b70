import { describe, expect, it } from 'vitest';
import { goQuote } from './goquote.ts';

describe("Go's strconv.Quote", () => {
  it('leaves printable ASCII as it is and escapes the quote, the backslash and control bytes', () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    expect(goQuote(printable)).toBe(`"${printable.replace('\\', '\\\\').replace('"', '\\"')}"`);
    expect(goQuote('RUN echo "hi" \\ there')).toBe('"RUN echo \\"hi\\" \\\\ there"');
    expect(goQuote('a\tb\nc\x00d\x7f')).toBe('"a\\tb\\nc\\x00d\\x7f"');
    expect(goQuote('')).toBe('""');
  });

  it('keeps printable Unicode and escapes what Go does not print', () => {
    expect(goQuote('café ☕ 日本')).toBe('"café ☕ 日本"');
    expect(goQuote('a\u00a0b\u200bc')).toBe('"a\\u00a0b\\u200bc"');
    expect(goQuote('\u{1f600}\u{e0001}')).toBe('"\u{1f600}\\U000e0001"');
  });
});
