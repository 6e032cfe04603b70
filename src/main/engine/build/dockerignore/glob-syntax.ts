import { StrataError } from '../../../../shared/errors.ts';
/**
 * Syntax check of Go's filepath.Match patterns. moby/patternmatcher rejects a pattern exactly
 * when filepath.Match would report ErrBadPattern, which happens when any chunk is malformed.
 */

export class BadPatternError extends StrataError {
  constructor() {
    super('invalid', 'syntax error in pattern');
  }
}

/** Throws BadPatternError when `pattern` is not a valid filepath.Match pattern. */
export function checkGlobSyntax(pattern: string): void {
  let rest = Array.from(pattern);
  while (rest.length > 0) {
    while (rest[0] === '*') rest = rest.slice(1);
    const end = chunkEnd(rest);
    checkChunk(rest.slice(0, end));
    rest = rest.slice(end);
  }
}

/** A chunk runs up to the next `*` that is not inside a character class. */
function chunkEnd(p: string[]): number {
  let inRange = false;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 < p.length) i++;
    } else if (c === '[') {
      inRange = true;
    } else if (c === ']') {
      inRange = false;
    } else if (c === '*' && !inRange) {
      break;
    }
  }
  return i;
}

function checkChunk(chunk: string[]): void {
  let i = 0;
  while (i < chunk.length) {
    const c = chunk[i];
    if (c === '[') {
      i++;
      if (chunk[i] === '^') i++;
      for (let ranges = 0; ; ranges++) {
        if (chunk[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        i = classChar(chunk, i);
        if (chunk[i] === '-') i = classChar(chunk, i + 1);
      }
    } else if (c === '\\') {
      if (i + 1 >= chunk.length) throw new BadPatternError();
      i += 2;
    } else {
      i++;
    }
  }
}

/** Reads one (possibly escaped) class character; the class must not end right after it. */
function classChar(chunk: string[], i: number): number {
  if (i >= chunk.length || chunk[i] === '-' || chunk[i] === ']') throw new BadPatternError();
  if (chunk[i] === '\\') {
    i++;
    if (i >= chunk.length) throw new BadPatternError();
  }
  i++;
  if (i >= chunk.length) throw new BadPatternError();
  return i;
}
