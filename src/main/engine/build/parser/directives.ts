/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`): comment lines at the very top of a
 * Dockerfile. Scanning stops at the first line that is not a valid directive.
 */
import { discardBOM } from './text.ts';
import { StrataError } from '../../../../shared/errors.ts';

export const validDirectives = ['syntax', 'escape', 'check'] as const;

export interface Directive {
  /** Lower-cased name: syntax, escape or check. */
  name: string;
  value: string;
  /** 1-based line. */
  line: number;
}

const blank = '[\\t\\n\\f\\r ]';

export class DirectiveParser {
  private line: number;
  private readonly regexp: RegExp;
  private readonly seen = new Set<string>();
  private done = false;

  /** `commentPrefix` is `#`, or `//` when sniffing the syntax of non-Dockerfile inputs. */
  constructor(commentPrefix = '#', startLine = 0) {
    this.line = startLine;
    this.regexp = new RegExp(`^${commentPrefix}${blank}*([a-zA-Z][a-zA-Z0-9]*)${blank}*=${blank}*([^\\n]+?)${blank}*$`);
  }

  /** Looks at one line; returns the directive it holds, or null. Throws on a repeated directive. */
  parseLine(line: string): Directive | null {
    this.line++;
    if (this.done) return null;
    const m = this.regexp.exec(line);
    if (!m) {
      this.done = true;
      return null;
    }
    const name = m[1]!.toLowerCase();
    if (!(validDirectives as readonly string[]).includes(name)) {
      this.done = true;
      return null;
    }
    if (this.seen.has(name)) throw new StrataError('invalid', `only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name, value: m[2]!, line: this.line };
  }

  parseAll(data: string): Directive[] {
    const out: Directive[] = [];
    for (const raw of data.split('\n')) {
      if (this.done) break;
      const d = this.parseLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
      if (d) out.push(d);
    }
    return out;
  }
}

export interface DetectedDirective {
  /** The value up to its first space, e.g. `docker/dockerfile:1`. */
  ref: string;
  /** The whole value, e.g. `docker/dockerfile:1 // opts`. */
  cmdline: string;
  line: number;
}

/**
 * Finds the `syntax` directive. Like BuildKit this also accepts `//syntax=` and a whole-file
 * JSON object `{"syntax": "..."}`, and skips a leading `#!` line.
 */
export function detectSyntax(text: string): DetectedDirective | null {
  return findDirective('syntax', text, true);
}

/** Finds one `#`-style directive by name (e.g. `check`). */
export function parseDirective(key: string, text: string): DetectedDirective | null {
  return findDirective(key, text, false);
}

function findDirective(key: string, text: string, anyFormat: boolean): DetectedDirective | null {
  let data = discardBOM(text);
  let line = 0;
  const firstLineEnd = data.indexOf('\n');
  const firstLine = firstLineEnd < 0 ? data : data.slice(0, firstLineEnd);
  if (firstLine.startsWith('#!')) {
    data = firstLineEnd < 0 ? '' : data.slice(firstLineEnd + 1);
    line++;
  }
  const found = fromParser(key, data, new DirectiveParser('#', line));
  if (found || !anyFormat) return found;
  const slashed = fromParser(key, data, new DirectiveParser('//', line));
  if (slashed) return slashed;
  return fromJSON(key, data, line);
}

function fromParser(key: string, data: string, parser: DirectiveParser): DetectedDirective | null {
  let directives: Directive[];
  try {
    directives = parser.parseAll(data);
  } catch {
    return null;
  }
  const d = directives.find((x) => x.name === key);
  if (!d) return null;
  const space = d.value.indexOf(' ');
  return { ref: space < 0 ? d.value : d.value.slice(0, space), cmdline: d.value, line: d.line };
}

function fromJSON(key: string, data: string, line: number): DetectedDirective | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const v = (parsed as Record<string, unknown>)[key];
  return typeof v === 'string' ? { ref: v, cmdline: v, line } : null;
}
