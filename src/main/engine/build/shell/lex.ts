/**
 * The word lexer/expander BuildKit uses for Dockerfile variable substitution
 * (frontend/dockerfile/shell/lex.go): quotes, escapes, `$VAR`, `${VAR}`, the `${VAR:-x}` family,
 * `#`/`%` trimming, `/` replacement, and splitting into words after expansion.
 */
import { goQuote } from './goquote.ts';
import { StrataError } from '../../../../shared/errors.ts';

/** Where variable values come from. `get` returns undefined for an unset variable. */
export interface EnvGetter {
  get(name: string): string | undefined;
  keys(): string[];
}

/** Anything we accept as an environment: a getter, a Map, a plain object or `KEY=value` strings. */
export type EnvSource = EnvGetter | ReadonlyMap<string, string> | Readonly<Record<string, string>> | readonly string[];

export interface LexOptions {
  /** The Dockerfile escape token: `\` (default) or `` ` ``. */
  escapeToken?: string;
  /** Keep quote characters in the output (used to detect quoted heredoc names). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies are shell scripts, not Dockerfile words). */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written instead of expanding them to "". */
  skipUnsetEnv?: boolean;
}

export interface ProcessWordResult {
  result: string;
  words: string[];
  /** Variables referenced and found in the environment. */
  matched: Set<string>;
  /** Variables referenced but not set. */
  unmatched: Set<string>;
}

/** An expansion error; the message matches BuildKit's (`failed to process "…": …`). */
export class ShellLexError extends StrataError {
  constructor(message: string) {
    super('invalid', message);
  }

  override name = 'ShellLexError';
}

/** A syntax error inside one word, before it is wrapped with the source text. */
class WordError extends StrataError {
  constructor(message: string) {
    super('invalid', message);
  }
}

const EOF = null;
type Ch = string | null;

export function envFrom(source: EnvSource): EnvGetter {
  if (isEnvGetter(source)) return source;
  const map = new Map<string, string>();
  if (Array.isArray(source)) {
    // Later entries win, like BuildKit's EnvsFromSlice.
    for (const entry of source as readonly string[]) {
      const eq = entry.indexOf('=');
      if (eq < 0) map.set(entry, '');
      else map.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  } else if (source instanceof Map) {
    for (const [k, v] of source) map.set(k, v);
  } else {
    for (const [k, v] of Object.entries(source as Record<string, string>)) map.set(k, v);
  }
  return { get: (name) => map.get(name), keys: () => [...map.keys()] };
}

function isEnvGetter(source: EnvSource): source is EnvGetter {
  return typeof (source as EnvGetter).get === 'function' && typeof (source as EnvGetter).keys === 'function'
    && !(source instanceof Map);
}

/** Go's unicode.IsSpace. */
export function isGoSpace(ch: string): boolean {
  switch (ch) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case '\u0085': case '\u00a0':
      return true;
  }
  // No other ASCII character is a space: the Unicode class is compiled only for the rest.
  return !isAscii(ch) && /^[\p{Zs}\u2028\u2029]$/u.test(ch);
}

/**
 * One ASCII character. The Unicode classes below cost a fresh process milliseconds to compile
 * (a cached build runs this lexer on every instruction): ASCII is answered without them.
 */
function isAscii(ch: string): boolean {
  return ch.length === 1 && ch < '\x80';
}

/** Go's unicode.IsLetter, for one character. */
export function isGoLetter(ch: string): boolean {
  return isAscii(ch) ? (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') : /^\p{L}$/u.test(ch);
}

/** Go's unicode.IsDigit, for one character. */
export function isGoDigit(ch: string): boolean {
  return isAscii(ch) ? ch >= '0' && ch <= '9' : /^\p{Nd}$/u.test(ch);
}

function isSpecialParam(ch: string): boolean {
  return '@*#?-$!0'.includes(ch);
}

/** Collects characters into words, splitting on unquoted whitespace. */
class Words {
  buf = '';
  words: string[] = [];
  inWord = false;

  addChar(ch: string): void {
    if (isGoSpace(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.buf += ch;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

export class ShellLex {
  readonly escapeToken: string;
  rawQuotes: boolean;
  rawEscapes: boolean;
  skipProcessQuotes: boolean;
  skipUnsetEnv: boolean;

  constructor(opts: LexOptions = {}) {
    this.escapeToken = opts.escapeToken ?? '\\';
    this.rawQuotes = opts.rawQuotes ?? false;
    this.rawEscapes = opts.rawEscapes ?? false;
    this.skipProcessQuotes = opts.skipProcessQuotes ?? false;
    this.skipUnsetEnv = opts.skipUnsetEnv ?? false;
  }

  /** Expands variables and removes quotes; whitespace between words is kept. */
  processWord(word: string, env: EnvSource = []): string {
    return this.processWordWithMatches(word, env).result;
  }

  /** Expands, then splits into words on unquoted whitespace. */
  processWords(word: string, env: EnvSource = []): string[] {
    return this.processWordWithMatches(word, env).words;
  }

  processWordWithMatches(word: string, env: EnvSource = []): ProcessWordResult {
    const sw = new ShellWord(this, word, envFrom(env));
    try {
      const { result, words } = sw.processStopOn(EOF, this.rawEscapes);
      return { result, words, matched: sw.matched, unmatched: sw.unmatched };
    } catch (err) {
      if (err instanceof WordError) throw new ShellLexError(`failed to process ${goQuote(word)}: ${err.message}`);
      throw err;
    }
  }
}

/** The state of processing one word. */
class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  private readonly lex: ShellLex;
  private readonly envs: EnvGetter;

  constructor(lex: ShellLex, word: string, envs: EnvGetter) {
    this.lex = lex;
    this.envs = envs;
    this.chars = Array.from(word);
    this.rawEscapes = lex.rawEscapes;
  }

  private peek(): Ch {
    return this.pos < this.chars.length ? this.chars[this.pos]! : EOF;
  }

  private next(): Ch {
    return this.pos < this.chars.length ? this.chars[this.pos++]! : EOF;
  }

  /** Processes until EOF or `stopChar` (consumed); BuildKit's processStopOn. */
  processStopOn(stopChar: Ch, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.scanUntil(stopChar);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private special(ch: string): (() => string) | undefined {
    if (ch === '$') return () => this.processDollar();
    if (ch === '<') return () => this.processPossibleHeredoc();
    if (this.lex.skipProcessQuotes) return undefined;
    if (ch === "'") return () => this.processSingleQuote();
    if (ch === '"') return () => this.processDoubleQuote();
    return undefined;
  }

  private scanUntil(stopChar: Ch): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
      if (stopChar !== EOF && ch === stopChar) {
        this.next();
        return { result, words: words.finish() };
      }
      const fn = this.special(ch);
      if (fn) {
        const tmp = fn();
        result += tmp;
        // Expanded values are split on whitespace; quoted text stays one word.
        if (ch === '$') words.addString(tmp);
        else words.addRawString(tmp);
        continue;
      }
      let c = this.next()!;
      if (c === this.lex.escapeToken) {
        if (this.rawEscapes) {
          words.addRawChar(c);
          result += c;
        }
        const escaped = this.next();
        if (escaped === EOF) break; // a trailing escape is dropped
        c = escaped;
        words.addRawChar(c);
      } else {
        words.addChar(c);
      }
      result += c;
    }
    if (stopChar !== EOF) {
      throw new WordError(`unexpected end of statement while looking for matching ${stopChar}`);
    }
    return { result, words: words.finish() };
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; ' cannot be escaped inside.
    let result = '';
    const open = this.next()!;
    if (this.lex.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new WordError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.lex.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except $ (expanded) and the escape token, which only escapes " $ and itself.
    let result = '';
    const open = this.next()!;
    if (this.lex.rawQuotes) result += open;
    for (;;) {
      const peeked = this.peek();
      if (peeked === EOF) throw new WordError('unexpected end of statement while looking for matching double-quote');
      if (peeked === '"') {
        this.next();
        if (this.lex.rawQuotes) result += '"';
        return result;
      }
      if (peeked === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.lex.escapeToken) {
        if (this.rawEscapes) result += ch;
        const after = this.peek();
        if (after === EOF) continue; // dropped; the loop then reports the missing quote
        if (after === '"' || after === '$' || after === this.lex.escapeToken) ch = this.next()!;
      }
      result += ch;
    }
  }

  /** `<<` may be followed by blanks before the heredoc word; keep them in the same word. */
  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let result = '<<';
    if (this.peek() === '-') result += this.next();
    while (this.peek() === ' ' || this.peek() === '\t') result += this.next();
    return result;
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.lex.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new WordError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new WordError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    let chs = ch ?? '';
    switch (ch) {
      case '}': {
        const value = this.getEnv(name);
        if (value === undefined && this.lex.skipUnsetEnv) return '${' + name + '}';
        return value ?? '';
      }
      case ':':
        ch = this.next();
        chs += ch ?? '';
        return this.processModifier(name, ch, chs, true);
      case '+': case '-': case '?': case '#': case '%':
        return this.processModifier(name, ch, chs, false);
      case '/':
        return this.processReplace(name);
      default:
        throw new WordError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** `${name<mod>word}` and `${name:<mod>word}`. */
  private processModifier(name: string, mod: Ch, chs: string, nullIsUnset: boolean): string {
    const trims = mod === '#' || mod === '%';
    if (nullIsUnset && trims) throw new WordError(`unsupported modifier (${chs}) in substitution`);
    let word = this.wordUntil('}', trims, "syntax error: missing '}'");
    const value = this.getEnv(name);
    const set = value !== undefined;
    if (this.lex.skipUnsetEnv && !set) return '${' + name + chs + word + '}';
    const empty = !set || (nullIsUnset && value === '');
    switch (mod) {
      case '-':
        return empty ? word : value!;
      case '+':
        return empty ? '' : word;
      case '?':
        if (!set) throw new WordError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new WordError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value!;
      case '%':
      case '#': {
        // One character means shortest match, doubled means longest.
        const greedy = word.startsWith(mod);
        if (greedy) word = word.slice(1);
        return mod === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw new WordError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`. */
  private processReplace(name: string): string {
    const replaceAll = this.peek() === '/';
    if (replaceAll) this.next();
    const pattern = this.wordUntil('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.wordUntil('}', true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return '${' + name + '/' + pattern + '/' + replacement + '}';
    const subject = value ?? '';
    let re: RegExp;
    try {
      re = shellPatternToRegExp(pattern, true, false, replaceAll);
    } catch (err) {
      throw new WordError(`invalid pattern (${pattern}) in substitution: ${(err as Error).message}`);
    }
    if (replaceAll) return subject.replace(re, (m) => expandGoTemplate(replacement, m));
    const m = re.exec(subject);
    if (!m) return subject;
    return subject.slice(0, m.index) + replacement + subject.slice(m.index + m[0].length);
  }

  private wordUntil(stop: string, rawEscapes: boolean, eofMessage: string): string {
    try {
      return this.processStopOn(stop, rawEscapes).result;
    } catch (err) {
      if (err instanceof WordError && this.peek() === EOF) throw new WordError(eofMessage);
      throw err;
    }
  }

  /** A name is letters/digits/_; a leading digit reads only digits; special params are one char. */
  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
      if (name === '' && isGoDigit(ch)) {
        while (this.peek() !== EOF && isGoDigit(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && isSpecialParam(ch)) return this.next()!;
      if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private getEnv(name: string): string | undefined {
    const value = this.envs.get(name);
    if (value === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return value;
  }
}

/**
 * Converts a shell wildcard pattern (`*`, `?`, escapes; no bracket expressions) into a RegExp
 * with Go regexp semantics (`.` never matches a newline).
 */
export function shellPatternToRegExp(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  const star = greedy ? '[^\\n]*' : '[^\\n]*?';
  for (let i = 0; i < chars.length; i++) {
    const tok = chars[i]!;
    if (tok === '*') { out += star; continue; }
    if (tok === '?') { out += '[^\\n]'; continue; }
    if (tok === '\\') {
      // `\}` and `\/` only protect ${} syntax; the backslash is not part of the pattern.
      const nextCh = chars[i + 1];
      if (nextCh === '}' || nextCh === '/') continue;
      i++;
      if (nextCh !== '*' && nextCh !== '?' && nextCh !== '\\') throw new StrataError('invalid', `invalid escape '\\${nextCh ?? ''}'`);
      out += '\\' + nextCh;
      continue;
    }
    out += '[]{}.+()|^$'.includes(tok) ? '\\' + tok : tok;
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  let re: RegExp;
  try {
    re = shellPatternToRegExp(pattern, greedy, true);
  } catch (err) {
    throw new WordError(`invalid pattern (${pattern}) in substitution: ${(err as Error).message}`);
  }
  const m = re.exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

/** Reverses a pattern but keeps escape pairs in order: `a\*c` becomes `c\*a`. */
function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out: string[] = new Array<string>(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last;) {
    const tok = runes[i]!;
    const outIdx = last - i;
    if (tok === '\\' && i !== last) {
      out[outIdx - 1] = tok;
      out[outIdx] = runes[i + 1]!;
      i += 2;
    } else {
      out[outIdx] = tok;
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

/** Regexps only find leftmost matches, so the shortest rightmost one is found on reversed text. */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/**
 * Go's Regexp.ReplaceAllString template: `$$` is a dollar, `$0`/`${0}` the match, any other
 * `$name` is empty (shell patterns have no groups), a malformed `$` is literal.
 */
function expandGoTemplate(template: string, match: string): string {
  let out = '';
  for (let i = 0; i < template.length;) {
    const c = template[i]!;
    if (c !== '$') { out += c; i++; continue; }
    if (template[i + 1] === '$') { out += '$'; i += 2; continue; }
    let name: string | undefined;
    let end = i + 1;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const candidate = close < 0 ? '' : template.slice(i + 2, close);
      if (/^[A-Za-z0-9_]+$/.test(candidate)) { name = candidate; end = close + 1; }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (m) { name = m[0]; end = i + 1 + name.length; }
    }
    if (name === undefined) { out += '$'; i++; continue; }
    if (/^\d+$/.test(name) && Number(name) === 0) out += match;
    i = end;
  }
  return out;
}
