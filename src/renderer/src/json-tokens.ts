/**
 * JSON text split into coloured tokens for the inspect views: keys, strings, numbers and literals;
 * everything else (punctuation, whitespace) is kept as plain runs, so the tokens' text joined is the
 * input exactly (copy, search and the tests see the same JSON).
 */
export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal' | 'plain';
export interface JsonToken {
  kind: JsonTokenKind;
  text: string;
}

const TOKEN = /("(?:\\.|[^"\\\n])*")(?=\s*:)|("(?:\\.|[^"\\\n])*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

export function jsonTokens(text: string): JsonToken[] {
  const out: JsonToken[] = [];
  let last = 0;
  const plain = (to: number): void => {
    if (to > last) out.push({ kind: 'plain', text: text.slice(last, to) });
  };
  for (const m of text.matchAll(TOKEN)) {
    plain(m.index);
    const kind: JsonTokenKind = m[1] ? 'key' : m[2] ? 'string' : m[3] ? 'number' : 'literal';
    out.push({ kind, text: m[0] });
    last = m.index + m[0].length;
  }
  plain(text.length);
  return out;
}
