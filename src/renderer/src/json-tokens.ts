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

/** One line of pretty-printed JSON; an opening line knows where its block closes. */
export interface JsonLine {
  text: string;
  /** Index of the line closing the object or array this line opens. */
  close?: number;
  /** Members (or items) directly inside it. */
  members?: number;
}

/**
 * Lines of `JSON.stringify(v, null, 2)` text with their blocks matched. A line ending in `{` or
 * `[` opens a block and one starting with `}` or `]` closes it: strings are quoted and never
 * hold a raw newline, so only the structure can do either.
 */
export function jsonLines(text: string): JsonLine[] {
  const lines: JsonLine[] = text.split('\n').map((t) => ({ text: t }));
  const open: number[] = [];
  lines.forEach((line, i) => {
    const t = line.text.trim();
    if (/^[}\]]/.test(t) && open.length > 0) {
      const start = open.pop()!;
      lines[start]!.close = i;
    }
    if (/[{[]$/.test(t)) {
      open.push(i);
      line.members = 0;
    } else if (open.length > 0 && !/^[}\]]/.test(t)) lines[open.at(-1)!]!.members! += 1;
    if (/^[}\]]/.test(t) && open.length > 0 && /,$/.test(t)) lines[open.at(-1)!]!.members! += 1;
  });
  return lines;
}

/** The lines shown: a collapsed block is its opening line alone (the view adds the closing bracket). */
export function shownLines(lines: readonly JsonLine[], collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(i);
    if (collapsed.has(i) && lines[i]!.close !== undefined) i = lines[i]!.close!;
  }
  return out;
}

export interface JsonMatch {
  line: number;
  from: number;
  to: number;
}

/** Case-insensitive matches of `needle` in each line, in reading order. */
export function jsonMatches(lines: readonly JsonLine[], needle: string): JsonMatch[] {
  const q = needle.toLowerCase();
  if (!q) return [];
  const out: JsonMatch[] = [];
  lines.forEach((line, i) => {
    const t = line.text.toLowerCase();
    for (let at = t.indexOf(q); at >= 0; at = t.indexOf(q, at + q.length)) out.push({ line: i, from: at, to: at + q.length });
  });
  return out;
}

/** The blocks holding a line (their opening lines), to unfold when a match in it is shown. */
export function blocksAround(lines: readonly JsonLine[], line: number): number[] {
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (l.close !== undefined && i < line && l.close > line) out.push(i);
  });
  return out;
}

export interface JsonSegment extends JsonToken {
  /** The match this piece belongs to (its index among all matches). */
  hit?: number;
}

/** A line's tokens cut at its matches, so a match is highlighted whatever tokens it spans. */
export function markLine(tokens: readonly JsonToken[], matches: readonly { from: number; to: number; index: number }[]): JsonSegment[] {
  if (matches.length === 0) return [...tokens];
  const out: JsonSegment[] = [];
  let at = 0;
  for (const tok of tokens) {
    const end = at + tok.text.length;
    let pos = at;
    while (pos < end) {
      const m = matches.find((x) => x.to > pos && x.from < end && x.from <= pos) ?? null;
      const next = m ? Math.min(m.to, end) : Math.min(end, ...matches.filter((x) => x.from > pos).map((x) => x.from));
      out.push({ kind: tok.kind, text: tok.text.slice(pos - at, next - at), ...(m ? { hit: m.index } : {}) });
      pos = next;
    }
    at = end;
  }
  return out;
}
