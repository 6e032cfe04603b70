import { describe, expect, it } from 'vitest';
import { blocksAround, jsonLines, jsonMatches, jsonTokens, markLine, shownLines } from './json-tokens.ts';

describe('inspect JSON highlighting', () => {
  const text = JSON.stringify({ Id: 'sha256:ab', Size: 1234, Os: null, Tty: false, Env: ['A="x:y"'], Neg: -1.5e3 }, null, 2);
  const tokens = jsonTokens(text);

  it('keeps the text exactly', () => {
    expect(tokens.map((t) => t.text).join('')).toBe(text);
  });

  it('tells keys from string values, and numbers and literals apart', () => {
    const of = (kind: string) => tokens.filter((t) => t.kind === kind).map((t) => t.text);
    expect(of('key')).toEqual(['"Id"', '"Size"', '"Os"', '"Tty"', '"Env"', '"Neg"']);
    expect(of('string')).toEqual(['"sha256:ab"', '"A=\\"x:y\\""']);
    expect(of('number')).toEqual(['1234', '-1500']);
    expect(of('literal')).toEqual(['null', 'false']);
  });
});

describe('inspect JSON folding and search', () => {
  const text = JSON.stringify({ Id: 'sha256:ab', Config: { Env: ['A=1', 'B=2'], Cmd: ['sh'], Labels: {} }, Size: 3 }, null, 2);
  const lines = jsonLines(text);

  it('matches each opening line with its closing line and counts its members', () => {
    const opener = (key: string) => lines.findIndex((l) => l.text.includes(`"${key}"`));
    expect(lines[0]).toMatchObject({ close: lines.length - 1, members: 3 });
    expect(lines[opener('Config')]).toMatchObject({ members: 3 });
    expect(lines[opener('Env')]).toMatchObject({ members: 2 });
    expect(lines[lines[opener('Env')]!.close!]!.text.trim()).toBe('],');
    // `{}` on one line opens nothing.
    expect(lines[opener('Labels')]!.close).toBeUndefined();
  });

  it('hides what a collapsed block holds, keeping its opening line', () => {
    const config = lines.findIndex((l) => l.text.includes('"Config"'));
    const shown = shownLines(lines, new Set([config])).map((i) => lines[i]!.text.trim());
    expect(shown).toEqual(['{', '"Id": "sha256:ab",', '"Config": {', '"Size": 3', '}']);
  });

  it('finds matches case-insensitively, names the blocks to unfold, and cuts tokens at them', () => {
    const found = jsonMatches(lines, 'b=2');
    expect(found).toHaveLength(1);
    const env = lines.findIndex((l) => l.text.includes('"Env"'));
    const config = lines.findIndex((l) => l.text.includes('"Config"'));
    expect(blocksAround(lines, found[0]!.line)).toEqual([0, config, env]);
    const line = lines[found[0]!.line]!.text;
    const segs = markLine(jsonTokens(line), [{ ...found[0]!, index: 0 }]);
    expect(segs.map((s) => s.text).join('')).toBe(line);
    expect(segs.filter((s) => s.hit === 0).map((s) => s.text).join('')).toBe('B=2');
    expect(segs.find((s) => s.hit === 0)!.kind).toBe('string');
    // A match across a key and its colon spans two tokens.
    const across = jsonMatches(lines, 'size": 3')[0]!;
    const cut = markLine(jsonTokens(lines[across.line]!.text), [{ ...across, index: 4 }]);
    expect(cut.filter((s) => s.hit === 4).map((s) => s.kind)).toEqual(['key', 'plain', 'number']);
  });
});
