export { PatternMatcher, Pattern, matches, matchesOrParentMatches } from './patternmatcher.ts';
export type { MatchType } from './patternmatcher.ts';
export { readIgnoreFile } from './ignorefile.ts';
export { BadPatternError } from './glob-syntax.ts';
export { cleanPath, dirPath } from './gopath.ts';
