/**
 * A linear-time matcher for the small Go regexp dialect `compilePattern` builds (literals,
 * escapes, `.`, classes, `(…)`, `*`, `?`, `^`, `$`). moby matches .dockerignore patterns with Go's
 * RE2, which never backtracks; a JS RegExp does, and `a*a*a*…b` then takes exponential time on a
 * long name. This is a Thompson NFA: every input character advances the set of live states once,
 * so a match costs O(path length × pattern length) whatever the pattern.
 */

interface State {
  /** Consumes one character matching `accepts`, then goes to `next`. */
  accepts?: (cp: number) => boolean;
  next?: State;
  /** Epsilon edges (to `next` and `alt`). */
  split?: boolean;
  alt?: State;
  /** `^`: only passable before the first character. */
  atStart?: boolean;
  /** `$` at the end of the pattern is the match state itself. */
  match?: boolean;
  /** Last step this state was added in (dedupes the state list). */
  seen: number;
}

interface Fragment {
  start: State;
  /** Sets the state every dangling edge of the fragment leads to. */
  patch: ((to: State) => void)[];
}

export class LinearRegExp {
  private readonly start: State;
  private step = 0;

  /** Throws for syntax this dialect lacks (as Go's regexp.Compile would for invalid input). */
  constructor(source: string) {
    const parser = new Parser(Array.from(source));
    const frag = parser.sequence();
    if (!parser.done()) throw new Error(`error parsing regexp: unexpected ) in ${JSON.stringify(source)}`);
    const match: State = { match: true, seen: -1 };
    for (const p of frag.patch) p(match);
    this.start = frag.start;
  }

  test(input: string): boolean {
    let current: State[] = [];
    this.step++;
    this.add(current, this.start, true);
    for (const ch of input) {
      const cp = ch.codePointAt(0)!;
      const next: State[] = [];
      this.step++;
      for (const s of current) if (s.accepts && s.accepts(cp)) this.add(next, s.next!, false);
      current = next;
      if (current.length === 0) return false;
    }
    return current.some((s) => s.match);
  }

  private add(list: State[], s: State, atStart: boolean): void {
    if (s.seen === this.step) return;
    s.seen = this.step;
    if (s.split) {
      this.add(list, s.next!, atStart);
      this.add(list, s.alt!, atStart);
    } else if (s.atStart) {
      if (atStart) this.add(list, s.next!, atStart);
    } else list.push(s);
  }
}

const NEWLINE = 0x0a;

function state(fields: Omit<State, 'seen'>): State {
  return { ...fields, seen: -1 };
}

function single(accepts: (cp: number) => boolean): Fragment {
  const s = state({ accepts });
  return { start: s, patch: [(to) => (s.next = to)] };
}

function epsilon(): Fragment {
  const s = state({ split: true });
  // Both epsilon edges lead to the same place.
  return { start: s, patch: [(to) => { s.next = to; s.alt = to; }] };
}

class Parser {
  private readonly chars: string[];
  private i = 0;

  constructor(chars: string[]) {
    this.chars = chars;
  }

  done(): boolean {
    return this.i >= this.chars.length;
  }

  /** A concatenation, up to the end or a `)`. */
  sequence(): Fragment {
    let frag: Fragment | undefined;
    while (!this.done() && this.chars[this.i] !== ')') {
      let atom = this.atom();
      const q = this.chars[this.i];
      if (q === '*' || q === '?') {
        this.i++;
        atom = q === '*' ? star(atom) : optional(atom);
      }
      frag = frag ? concat(frag, atom) : atom;
    }
    return frag ?? epsilon();
  }

  private atom(): Fragment {
    const ch = this.chars[this.i++]!;
    switch (ch) {
      case '(': {
        const inner = this.sequence();
        if (this.chars[this.i++] !== ')') throw new Error('error parsing regexp: missing closing )');
        return inner;
      }
      case '[':
        return single(this.charClass());
      case '.':
        return single((cp) => cp !== NEWLINE);
      case '^': {
        const s = state({ atStart: true });
        return { start: s, patch: [(to) => (s.next = to)] };
      }
      case '$':
        // compilePattern escapes every `$` but the final one: the end of input is where matching stops.
        if (!this.done()) throw new Error('error parsing regexp: unsupported $ inside the pattern');
        return epsilon();
      case '\\':
        return single(this.escape());
      case '*':
      case '?':
        throw new Error(`error parsing regexp: missing argument to repetition operator: ${ch}`);
      default: {
        const want = ch.codePointAt(0)!;
        return single((cp) => cp === want);
      }
    }
  }

  /** An escape after `\` (outside or inside a class): a class escape or the literal character. */
  private escape(): (cp: number) => boolean {
    if (this.done()) throw new Error('error parsing regexp: trailing backslash at end of expression');
    const ch = this.chars[this.i++]!;
    const cls = CLASS_ESCAPES[ch];
    if (cls) return cls;
    const control = CONTROL_ESCAPES[ch];
    const want = control ?? ch.codePointAt(0)!;
    if (control === undefined && /[A-Za-z0-9]/.test(ch)) throw new Error(`error parsing regexp: invalid escape sequence: \\${ch}`);
    return (cp) => cp === want;
  }

  /** The body of `[…]` after the `[`, Go's rules: a `]` first is literal, `a-z` ranges, escapes. */
  private charClass(): (cp: number) => boolean {
    const negated = this.chars[this.i] === '^';
    if (negated) this.i++;
    const parts: ((cp: number) => boolean)[] = [];
    let first = true;
    for (;;) {
      if (this.done()) throw new Error('error parsing regexp: missing closing ]');
      const ch = this.chars[this.i]!;
      if (ch === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = this.classChar();
      if (typeof lo === 'function') {
        parts.push(lo);
        continue;
      }
      if (this.chars[this.i] === '-' && this.chars[this.i + 1] !== undefined && this.chars[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classChar();
        if (typeof hi === 'function' || hi < lo) throw new Error('error parsing regexp: invalid character class range');
        parts.push((cp) => cp >= lo && cp <= hi);
      } else parts.push((cp) => cp === lo);
    }
    return (cp) => parts.some((p) => p(cp)) !== negated;
  }

  private classChar(): number | ((cp: number) => boolean) {
    const ch = this.chars[this.i++]!;
    if (ch !== '\\') return ch.codePointAt(0)!;
    if (this.done()) throw new Error('error parsing regexp: trailing backslash');
    const next = this.chars[this.i]!;
    if (CLASS_ESCAPES[next]) {
      this.i++;
      return CLASS_ESCAPES[next];
    }
    this.i++;
    return CONTROL_ESCAPES[next] ?? next.codePointAt(0)!;
  }
}

function concat(a: Fragment, b: Fragment): Fragment {
  for (const p of a.patch) p(b.start);
  return { start: a.start, patch: b.patch };
}

function star(f: Fragment): Fragment {
  const s = state({ split: true, next: f.start });
  for (const p of f.patch) p(s);
  return { start: s, patch: [(to) => (s.alt = to)] };
}

function optional(f: Fragment): Fragment {
  const s = state({ split: true, next: f.start });
  return { start: s, patch: [...f.patch, (to) => (s.alt = to)] };
}

const isDigit = (cp: number): boolean => cp >= 0x30 && cp <= 0x39;
const isWord = (cp: number): boolean => isDigit(cp) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
const isSpace = (cp: number): boolean => cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);

/** Go's Perl classes (ASCII only, as in RE2). */
const CLASS_ESCAPES: Record<string, (cp: number) => boolean> = {
  d: isDigit, D: (cp) => !isDigit(cp), w: isWord, W: (cp) => !isWord(cp), s: isSpace, S: (cp) => !isSpace(cp),
};

const CONTROL_ESCAPES: Record<string, number> = { a: 0x07, f: 0x0c, t: 0x09, n: 0x0a, r: 0x0d, v: 0x0b };
