import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, conformanceMissing } from '../../../../../test/paths.ts';
import { skipAllIf } from '../../../../../test/fixtures/skip.ts';
import { ShellLex, ShellLexError, isGoDigit, isGoLetter, isGoSpace } from './lex.ts';
import { goQuote, goQuoteRune } from './goquote.ts';

const shellDir = join(conformanceDir, 'buildkit-shell');
const noData = conformanceMissing('buildkit-shell');

/** A vectors file's lines (none without the vectors: their tests are then skipped). */
function vectorLines(file: string): string[] {
  return noData ? [] : readFileSync(join(shellDir, file), 'utf8').split('\n');
}

interface Vector { line: number; input: string; expected: string }

/** envVarTest: `platform | input | expected`; we are a Unix builder, so W-only lines are skipped. */
function envVarVectors(): Vector[] {
  const lines = vectorLines('envVarTest');
  const out: Vector[] = [];
  lines.forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split('|');
    if (parts.length !== 3) throw new Error(`envVarTest line ${i + 1} is malformed`);
    const platform = parts[0]!.trim();
    if (platform !== 'A' && platform !== 'U') return;
    out.push({ line: i + 1, input: parts[1]!.trim(), expected: parts[2]!.trim() });
  });
  return out;
}

describe('buildkit-shell envVarTest', () => {
  skipAllIf(noData);
  const env = ['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL='];
  const vectors = envVarVectors();
  it('has vectors', () => expect(vectors.length).toBeGreaterThan(200));
  for (const v of vectors) {
    it(`line ${v.line}: ${v.input}`, () => {
      const lex = new ShellLex();
      if (v.expected === 'error') {
        expect(() => lex.processWord(v.input, env)).toThrow(ShellLexError);
      } else {
        expect(lex.processWord(v.input, env)).toBe(v.expected);
      }
    });
  }
});

describe('buildkit-shell wordsTest', () => {
  skipAllIf(noData);
  const lines = vectorLines('wordsTest');
  const env: string[] = [];
  let count = 0;
  lines.forEach((line, i) => {
    if (line.startsWith('#') || line === '') return;
    if (line.startsWith('ENV ')) {
      env.push(line.slice(3).replace(/^ +/, ''));
      return;
    }
    const parts = line.split('|');
    if (parts.length !== 2) throw new Error(`wordsTest line ${i + 1} is malformed`);
    const input = parts[0]!.trim();
    const expected = parts[1]!.replace(/^ +/, '').split(',');
    const envNow = [...env];
    count++;
    it(`line ${i + 1}: ${input}`, () => {
      let result: string[];
      try {
        result = new ShellLex().processWords(input, envNow);
      } catch {
        result = ['error'];
      }
      expect(result).toEqual(expected);
    });
  });
  it('has vectors', () => expect(count).toBeGreaterThan(20));
});

describe('pattern substitutions', () => {
  const env = { FILE: 'archive.tar.gz', PATHV: '/usr/local/bin', EMPTY: '' };
  const cases: Array<[string, string]> = [
    ['${FILE#*.}', 'tar.gz'],
    ['${FILE##*.}', 'gz'],
    ['${FILE%.*}', 'archive.tar'],
    ['${FILE%%.*}', 'archive'],
    ['${PATHV/\\//:}', ':usr/local/bin'],
    ['${PATHV//\\//:}', ':usr:local:bin'],
    ['${PATHV/local/}', '/usr//bin'],
    ['${FILE/nomatch/x}', 'archive.tar.gz'],
    ['${MISSING:-a b}', 'a b'],
    ['${EMPTY-set}', ''],
    ['${EMPTY:-unset}', 'unset'],
    ['${EMPTY+yes}', 'yes'],
  ];
  for (const [input, expected] of cases) {
    it(input, () => expect(new ShellLex().processWord(input, env)).toBe(expected));
  }

  it('names the variable in ${VAR:?msg} errors', () => {
    expect(() => new ShellLex().processWord('${FOO:?"foo missing"}', [])).toThrow('FOO: foo missing');
  });

  it('rejects ${VAR:#x}', () => {
    expect(() => new ShellLex().processWord('${FILE:#x}', env)).toThrow(ShellLexError);
  });

  it('honours the backtick escape token', () => {
    expect(new ShellLex({ escapeToken: '`' }).processWord('a`$b\\c', { b: 'x' })).toBe('a$b\\c');
  });

  it('keeps unset references when asked to', () => {
    const lex = new ShellLex({ skipUnsetEnv: true });
    expect(lex.processWord('$A ${B} ${C:-x} $D', { D: 'd' })).toBe('$A ${B} ${C:-x} d');
  });

  it('reports matched and unmatched variables', () => {
    const r = new ShellLex().processWordWithMatches('$A $B', { A: '1' });
    expect([...r.matched]).toEqual(['A']);
    expect([...r.unmatched]).toEqual(['B']);
  });
});

describe('goQuote', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\t\u0000♥\u007f')).toBe('"a\\"b\\\\c\\n\\t\\x00♥\\x7f"');
    expect(goQuote('\u200b')).toBe('"\\u200b"');
  });
  it('quotes runes like %q on an int', () => {
    expect(goQuoteRune(0)).toBe("'\\x00'");
    expect(goQuoteRune(3)).toBe("'\\x03'");
    expect(goQuoteRune(97)).toBe("'a'");
  });
});

describe("Go's character classes", () => {
  // The classifiers answer ASCII without the Unicode classes (which cost a fresh process
  // milliseconds to compile): every code point must still get the class's answer.
  it('agree with Unicode letter, decimal digit and space classes on every code point', () => {
    const classes: [(ch: string) => boolean, RegExp][] = [
      [isGoLetter, /^\p{L}$/u],
      [isGoDigit, /^\p{Nd}$/u],
      [isGoSpace, /^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]$/u],
    ];
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const [classify, pattern] of classes) if (classify(ch) !== pattern.test(ch)) wrong.push(`${classify.name} U+${cp.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('takes none of several characters for one', () => {
    for (const s of ['', 'ab', '12', '  ', 'a1']) {
      expect([isGoLetter(s), isGoDigit(s), isGoSpace(s)]).toEqual([false, false, false]);
    }
  });
});
