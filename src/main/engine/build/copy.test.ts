import { describe, expect, it } from 'vitest';
import { resolveDest, isUrl } from './copy.ts';

describe('COPY destination rules', () => {
  it('resolves relative to WORKDIR and keeps a trailing slash', () => {
    expect(resolveDest('.', '/web')).toBe('/web/');
    expect(resolveDest('', '/web')).toBe('/web/');
    expect(resolveDest('bar/baz', '/test1/test2')).toBe('/test1/test2/bar/baz');
    expect(resolveDest('../', '/test5/test6')).toBe('/test5/');
    expect(resolveDest('/abs/', '/web')).toBe('/abs/');
    expect(resolveDest('/abs/.', '/web')).toBe('/abs/');
    expect(resolveDest('x', '')).toBe('/x');
  });

  it('recognises URLs', () => {
    expect(isUrl('https://example.com/a.tgz')).toBe(true);
    expect(isUrl('httpfile')).toBe(false);
  });
});
