/**
 * Go's `strconv.Quote` / `%q` formatting. BuildKit's AST dumps and several history strings
 * (`CMD ["a" "b"]`, `HEALTHCHECK &{...}`) are produced with it, so we reproduce it exactly.
 */

/**
 * Made on first use: V8 parses a pattern when it makes the RegExp, and these classes cost
 * milliseconds of every process that loads this module (`images` and `build` both do).
 */
let printable: RegExp | undefined;

/** Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrintable(ch: string): boolean {
  return ch === ' ' || (printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u).test(ch);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Escapes one code point the way Go does inside a quoted literal (`quote` is `"` or `'`). */
function escapeRune(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (isGoPrintable(ch)) return ch;
  const cp = ch.codePointAt(0) ?? 0;
  switch (cp) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  // Lone surrogates only appear for input that was not valid UTF-8; Go prints U+FFFD's bytes then.
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

/** Printable ASCII but the quote and the backslash: what Go's Quote leaves as it is. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `strconv.Quote(s)`. */
export function goQuote(s: string): string {
  // Most instructions are plain ASCII: no per-character test, and the Unicode classes above
  // (costly to compile, once per process) are not needed.
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"');
  return out + '"';
}

/** `strconv.QuoteRune(r)`, which is what `%q` prints for an integer. */
export function goQuoteRune(n: number): string {
  const valid = Number.isInteger(n) && n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff);
  const ch = valid ? String.fromCodePoint(n) : '\ufffd';
  return "'" + escapeRune(ch, "'") + "'";
}

/** `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return '[' + items.map(goQuote).join(' ') + ']';
}

/** `fmt.Sprintf("%v", []string{...})`: `[a b]`. */
export function goList(items: readonly string[]): string {
  return '[' + items.join(' ') + ']';
}
