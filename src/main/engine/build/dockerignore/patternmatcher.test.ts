import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, conformanceMissing } from '../../../../../test/paths.ts';
import { skipAllIf } from '../../../../../test/fixtures/skip.ts';
import { PatternMatcher, matches } from './patternmatcher.ts';
import { readIgnoreFile } from './ignorefile.ts';
import { cleanPath, dirPath } from './gopath.ts';

interface Single { pattern: string; path: string; match: boolean; error?: boolean; note?: string }
interface Multi { patterns: string[]; path: string; match?: boolean; error?: boolean }
const noData = conformanceMissing('patternmatcher');
const noScenarios = conformanceMissing('buildkit-scenarios');
interface Vectors {
  TestMatches_single_MatchesOrParentMatches: Single[];
  TestMatches_multi: Multi[];
  matchTests_legacy_Matches_fn: Single[];
  compileTests: Array<{ pattern: string; matchType: string; regexp: string }>;
  simple_legacy_Matches_cases: Array<Single | Multi>;
}
/** moby's vectors; without them only `has its vectors` is registered, and skipped with the reason. */
const spec = noData ? undefined : JSON.parse(readFileSync(join(conformanceDir, 'patternmatcher', 'patternmatcher-cases.json'), 'utf8')) as Vectors;

describe('patternmatcher-cases.json', () => {
  skipAllIf(noData);
  it('has its vectors', () => expect(spec!.TestMatches_single_MatchesOrParentMatches.length).toBeGreaterThan(10));
});

function label(c: Single | Multi): string {
  return `${JSON.stringify('patterns' in c ? c.patterns : c.pattern)} ~ ${JSON.stringify(c.path)}`;
}

/** The walk a context sender does (as moby's test does it): each parent's result feeds the next. */
function matchByWalking(pm: PatternMatcher, path: string): boolean {
  const parent = dirPath(path);
  let info: boolean[] | undefined;
  if (parent !== '.') {
    const dirs = parent.split('/');
    for (let i = 0; i < dirs.length; i++) info = pm.matchesUsingParentResults(dirs.slice(0, i + 1).join('/'), info).parentMatched;
  }
  return pm.matchesUsingParentResults(path, info).matched;
}

/** The suites driven by the vectors, registered only when they are here. */
function vectorSuites(spec: Vectors): void {
  describe('patternmatcher TestMatches (MatchesOrParentMatches)', () => {
    for (const c of spec.TestMatches_single_MatchesOrParentMatches) {
      it(label(c), () => expect(new PatternMatcher([c.pattern]).matchesOrParentMatches(c.path)).toBe(c.match));
    }
    for (const c of spec.TestMatches_multi) {
      it(label(c), () => expect(new PatternMatcher(c.patterns).matchesOrParentMatches(c.path)).toBe(c.match));
    }
  });

  describe('patternmatcher MatchesUsingParentResults agrees with MatchesOrParentMatches', () => {
    const all: Multi[] = [
      ...spec.TestMatches_single_MatchesOrParentMatches.map((c) => ({ patterns: [c.pattern], path: c.path, match: c.match })),
      ...spec.TestMatches_multi,
    ];
    for (const c of all) {
      it(label(c), () => expect(matchByWalking(new PatternMatcher(c.patterns), c.path)).toBe(c.match));
    }
  });

  describe('patternmatcher legacy Matches (filepath.Match vectors)', () => {
    for (const c of spec.matchTests_legacy_Matches_fn) {
      it(label(c), () => {
        if (c.error) expect(() => matches(c.path, [c.pattern])).toThrow();
        else expect(matches(c.path, [c.pattern])).toBe(c.match);
      });
    }
  });

  describe('patternmatcher compile', () => {
    for (const c of spec.compileTests) {
      it(c.pattern, () => {
        const compiled = new PatternMatcher([c.pattern]).patterns[0]!.compile();
        expect(compiled.matchType).toBe(c.matchType);
        expect(compiled.goRegexp).toBe(c.regexp);
      });
    }
  });

  describe('patternmatcher simple cases', () => {
    for (const c of spec.simple_legacy_Matches_cases) {
      it(label(c), () => {
        if ('patterns' in c) {
          if (c.error) expect(() => matches(c.path, c.patterns)).toThrow();
          else expect(matches(c.path, c.patterns)).toBe(c.match);
        } else {
          expect(new PatternMatcher([c.pattern]).matchesOrParentMatches(c.path)).toBe(c.match);
        }
      });
    }
  });
}
if (spec) vectorSuites(spec);

describe('.dockerignore files', () => {
  it('reads patterns like moby', () => {
    const text = '\ufeff# comment\n\nba*\n  Dockerfile  \n!bay\n/abs/path/\n! spaced\n./x/../y\n';
    expect(readIgnoreFile(text)).toEqual(['ba*', 'Dockerfile', '!bay', 'abs/path', '!spaced', 'y']);
  });

  it('applies the dockerignore-basic scenario', ({ skip }) => {
    if (noScenarios) skip(noScenarios);
    const scenario = JSON.parse(readFileSync(join(conformanceDir, 'buildkit-scenarios', 'dockerignore-basic.json'), 'utf8')) as {
      context: Record<string, { content: string }>;
      expect_present: Record<string, string>;
      expect_absent: string[];
    };
    const pm = new PatternMatcher(readIgnoreFile(scenario.context['.dockerignore']!.content));
    for (const path of Object.keys(scenario.expect_present)) expect(pm.matchesOrParentMatches(path), path).toBe(false);
    for (const path of scenario.expect_absent) expect(pm.matchesOrParentMatches(path), path).toBe(true);
  });

  it('rejects a lone "!" as in dockerignore-invalid', ({ skip }) => {
    if (noScenarios) skip(noScenarios);
    const scenario = JSON.parse(readFileSync(join(conformanceDir, 'buildkit-scenarios', 'dockerignore-invalid.json'), 'utf8')) as {
      context: Record<string, { content: string }>;
    };
    expect(() => new PatternMatcher(readIgnoreFile(scenario.context['.dockerignore']!.content))).toThrow('illegal exclusion pattern: "!"');
  });

  it('cleans paths like Go', () => {
    expect(['', 'a//b/', '/../a', '../../a', 'a/./b/../c', '/'].map(cleanPath)).toEqual(['.', 'a/b', '/a', '../../a', 'a/c', '/']);
  });
});
