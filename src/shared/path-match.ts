import { StrataError } from './errors.ts';

/**
 * Go's path.Match, used by `images PATTERN` and `--filter reference=` against familiar names.
 * Supports `*`, `?`, `[...]` classes (with `^`/`!` negation and ranges) and `\` escapes;
 * `*` and `?` never match `/`.
 */
export function pathMatch(pattern: string, name: string): boolean {
  return matchAt(pattern, 0, name, 0);
}

function matchAt(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) return !s.slice(si).includes('/');
      for (let k = si; k <= s.length; k++) {
        if (matchAt(p, pi, s, k)) return true;
        if (s[k] === '/') return false;
      }
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      if (s[si] === '/') return false;
      pi++;
      si++;
      continue;
    }
    if (c === '[') {
      const r = matchClass(p, pi, s[si]!);
      if (r === undefined) throw new StrataError('invalid', `syntax error in pattern: ${p}`);
      if (!r.matched || s[si] === '/') return false;
      pi = r.next;
      si++;
      continue;
    }
    let lit = c;
    if (c === '\\') {
      pi++;
      if (pi >= p.length) throw new StrataError('invalid', `syntax error in pattern: ${p}`);
      lit = p[pi]!;
    }
    if (s[si] !== lit) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

function matchClass(p: string, pi: number, ch: string): { matched: boolean; next: number } | undefined {
  let i = pi + 1;
  let negate = false;
  if (p[i] === '^' || p[i] === '!') {
    negate = true;
    i++;
  }
  let matched = false;
  let first = true;
  while (i < p.length && (p[i] !== ']' || first)) {
    first = false;
    let lo = p[i]!;
    if (lo === '\\') lo = p[++i] ?? '';
    i++;
    let hi = lo;
    if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
      hi = p[i + 1]!;
      if (hi === '\\') hi = p[i + 2] ?? '';
      i += hi === p[i + 1] ? 2 : 3;
    }
    if (lo === '' || hi === '') return undefined;
    if (lo <= ch && ch <= hi) matched = true;
  }
  if (p[i] !== ']') return undefined;
  return { matched: matched !== negate, next: i + 1 };
}
