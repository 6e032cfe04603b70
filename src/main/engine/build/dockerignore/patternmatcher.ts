/**
 * .dockerignore matching with moby/patternmatcher semantics: patterns are cleaned, `!` marks an
 * exception, `**` spans directories, and a path is also excluded when a parent directory matches.
 * Patterns compile to moby's Go regexp and match in linear time (RE2's guarantee; see linear-regexp.ts).
 */
import { checkGlobSyntax } from './glob-syntax.ts';
import { cleanPath, dirPath } from './gopath.ts';
import { LinearRegExp } from './linear-regexp.ts';

export type MatchType = 'exactMatch' | 'prefixMatch' | 'suffixMatch' | 'regexpMatch';

/** One cleaned pattern, compiled lazily like moby's. */
export class Pattern {
  readonly cleanedPattern: string;
  readonly exclusion: boolean;
  readonly dirs: string[];
  private compiled?: { matchType: MatchType; goRegexp: string; regexp?: LinearRegExp };

  constructor(cleanedPattern: string, exclusion: boolean) {
    this.cleanedPattern = cleanedPattern;
    this.exclusion = exclusion;
    this.dirs = cleanedPattern.split('/');
  }

  /** The match strategy and, for regexpMatch, the Go regexp source moby would build. */
  compile(): { matchType: MatchType; goRegexp: string } {
    this.compiled ??= compilePattern(this.cleanedPattern);
    return { matchType: this.compiled.matchType, goRegexp: this.compiled.goRegexp };
  }

  match(path: string): boolean {
    this.compile();
    const c = this.compiled!;
    const p = this.cleanedPattern;
    switch (c.matchType) {
      case 'exactMatch':
        return path === p;
      case 'prefixMatch':
        return path.startsWith(p.slice(0, -2));
      case 'suffixMatch': {
        const suffix = p.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.startsWith('/') && path === suffix.slice(1); // `**/foo` matches "foo"
      }
      case 'regexpMatch':
        return c.regexp!.test(path);
    }
  }
}

const shouldEscape = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

function compilePattern(pattern: string): { matchType: MatchType; goRegexp: string; regexp?: LinearRegExp } {
  const chars = Array.from(pattern);
  let re = '^';
  let type: MatchType = 'exactMatch';
  for (let i = 0, n = 0; i < chars.length; i++, n++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // `**/` behaves like `**`
        if (i + 1 >= chars.length) {
          // A trailing `**` accepts everything below, as in .gitignore.
          if (type === 'exactMatch') type = 'prefixMatch';
          else {
            re += '.*';
            type = 'regexpMatch';
          }
        } else {
          re += '(.*/)?';
          type = 'regexpMatch';
        }
        if (n === 0) type = 'suffixMatch';
      } else {
        re += '[^/]*';
        type = 'regexpMatch';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexpMatch';
    } else if (shouldEscape.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        re += '\\' + chars[++i];
        type = 'regexpMatch';
      } else {
        re += '\\';
      }
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexpMatch';
    } else {
      re += ch;
    }
  }
  if (type !== 'regexpMatch') return { matchType: type, goRegexp: '' };
  re += '$';
  return { matchType: type, goRegexp: re, regexp: new LinearRegExp(re) };
}

export class PatternMatcher {
  readonly patterns: Pattern[];
  /** True when any pattern is an exception (`!pattern`). */
  readonly exclusions: boolean;

  /** Throws for `!` alone and for malformed globs, like moby's New. */
  constructor(patterns: readonly string[]) {
    this.patterns = [];
    let exclusions = false;
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      checkGlobSyntax(p);
      this.patterns.push(new Pattern(p, exclusion));
    }
    this.exclusions = exclusions;
  }

  /** True when `file` (slash separated, relative) or one of its parent directories is matched. */
  matchesOrParentMatches(file: string): boolean {
    const parentPath = dirPath(file);
    const parentDirs = parentPath.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      // Only inclusions can turn a miss into a match, only exceptions a match into a miss.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parentPath !== '.') {
        for (let i = 0; i < parentDirs.length && !match; i++) match = pattern.match(parentDirs.slice(0, i + 1).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /** Exact matching only, no parent directories. */
  matchesExact(file: string): boolean {
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      if (pattern.match(file)) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * moby's deprecated Matches: checks only the parent prefix as deep as the pattern. Kept because
   * the legacy conformance vectors pin it.
   */
  matchesLegacy(file: string): boolean {
    const parentPath = dirPath(file);
    const parentDirs = parentPath.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parentPath !== '.' && pattern.dirs.length <= parentDirs.length) {
        match = pattern.match(parentDirs.slice(0, pattern.dirs.length).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * For walking a tree: pass the `parentMatched` returned for the parent directory (or undefined
   * at the top) and keep the returned one for the children of `file`.
   */
  matchesUsingParentResults(file: string, parentMatched?: readonly boolean[]): { matched: boolean; parentMatched: boolean[] } {
    if (parentMatched && parentMatched.length !== 0 && parentMatched.length !== this.patterns.length) {
      throw new Error('wrong number of values in parentMatched');
    }
    const haveParents = parentMatched !== undefined && parentMatched.length !== 0;
    const result: boolean[] = new Array<boolean>(this.patterns.length).fill(false);
    let matched = false;
    this.patterns.forEach((pattern, i) => {
      let match = haveParents ? parentMatched[i]! : false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.match(file);
        if (!match && !haveParents) {
          const parentPath = dirPath(file);
          if (parentPath !== '.') {
            const dirs = parentPath.split('/');
            for (let j = 0; j < dirs.length && !match; j++) match = pattern.match(dirs.slice(0, j + 1).join('/'));
          }
        }
      }
      result[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, parentMatched: result };
  }
}

/** moby's package-level Matches (legacy parent handling); "." is never excluded. */
export function matches(file: string, patterns: readonly string[]): boolean {
  const pm = new PatternMatcher(patterns);
  const cleaned = cleanPath(file);
  if (cleaned === '.') return false;
  return pm.matchesLegacy(cleaned);
}

/** moby's package-level MatchesOrParentMatches; "." is never excluded. */
export function matchesOrParentMatches(file: string, patterns: readonly string[]): boolean {
  const pm = new PatternMatcher(patterns);
  const cleaned = cleanPath(file);
  if (cleaned === '.') return false;
  return pm.matchesOrParentMatches(cleaned);
}
