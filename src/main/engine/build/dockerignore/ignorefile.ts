/** Reading a .dockerignore file into patterns (moby/patternmatcher/ignorefile.ReadAll). */
import { cleanPath } from './gopath.ts';

/**
 * One pattern per line; `#` lines are comments, blank lines are skipped, surrounding blanks are
 * trimmed, paths are cleaned and a leading `/` is dropped (patterns are relative to the context).
 */
export function readIgnoreFile(text: string): string[] {
  const patterns: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = line.trim();
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? '!' + pattern : pattern);
  });
  return patterns;
}
