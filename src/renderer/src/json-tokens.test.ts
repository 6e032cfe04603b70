import { describe, expect, it } from 'vitest';
import { jsonTokens } from './json-tokens.ts';

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
