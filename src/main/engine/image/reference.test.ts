import { describe, expect, it } from 'vitest';
import { familiarString, normalizeReference, parseReference, pathMatch, familiarName, referenceParser } from './reference.ts';

describe('reference normalisation (docker/distribution rules)', () => {
  const cases: [string, string][] = [
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['user/repo:ver', 'docker.io/user/repo:ver'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b:c', 'localhost:5000/a/b:c'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app:latest'],
    ['ghcr.io/owner/img@sha256:' + 'a'.repeat(64), 'ghcr.io/owner/img@sha256:' + 'a'.repeat(64)],
    ['quay.io/a/b:t@sha256:' + 'b'.repeat(64), 'quay.io/a/b:t@sha256:' + 'b'.repeat(64)],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => expect(normalizeReference(input)).toBe(want));
  }

  it('prints the familiar form back', () => {
    expect(familiarString(parseReference('docker.io/library/alpine:latest'))).toBe('alpine:latest');
    expect(familiarString(parseReference('docker.io/user/repo:1'))).toBe('user/repo:1');
    expect(familiarName('docker.io/library/a/b')).toBe('library/a/b');
    expect(familiarString(parseReference('localhost:5000/x'))).toBe('localhost:5000/x:latest');
  });

  it('refuses invalid references with docker wording', () => {
    expect(() => parseReference('Alpine')).toThrow('invalid reference format: repository name (library/Alpine) must be lowercase');
    expect(() => parseReference('a:b:c')).toThrow('invalid reference format');
    expect(() => parseReference('a@sha256:123')).toThrow('invalid reference format');
    expect(() => parseReference('')).toThrow('invalid reference format');
    expect(() => parseReference('f'.repeat(64))).toThrow('cannot be a 64-byte hexadecimal string');
    expect(() => parseReference('a/-b')).toThrow('invalid reference format');
  });

  it('parses a listing of many tags of the same names as parseReference does, each name once', () => {
    const outcome = (parse: typeof parseReference, input: string, defaultTag: boolean): unknown => {
      try {
        return parse(input, { defaultTag });
      } catch (err) {
        return `${(err as Error).constructor.name}: ${(err as Error).message}`;
      }
    };
    const names = ['alpine', 'Alpine', 'user/repo', 'localhost:5000/a/b', 'index.docker.io/x', 'library/y', 'a/-b', '-', 'f'.repeat(64), `${'n'.repeat(250)}/x`, 'a:b', 'ghcr.io/o/i', '[::1]:5000/z', 'bad_host:x/y', ''];
    const suffixes = ['', ':latest', ':v1', ':V_2.a-b', ':-bad', `:${'t'.repeat(129)}`, `@sha256:${'a'.repeat(64)}`, ':t@sha256:123', ' ', `:1@sha512:${'b'.repeat(128)}`];
    const inputs = names.flatMap((n) => suffixes.map((s) => n + s));
    const listing = referenceParser();
    // Twice over, so the second pass answers from the names already parsed.
    for (const input of [...inputs, ...inputs.reverse()]) {
      for (const defaultTag of [true, false]) expect(outcome(listing, input, defaultTag), input).toEqual(outcome(parseReference, input, defaultTag));
    }
  });
});

describe('path.Match as docker uses it for image patterns', () => {
  const cases: [string, string, boolean][] = [
    ['j*', 'jam', true],
    ['j*', 'user/jam', false],
    ['*/*', 'user/jam', true],
    ['j?m', 'jam', true],
    ['[a-c]at', 'bat', true],
    ['[^a-c]at', 'bat', false],
    ['[!a-c]at', 'rat', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['*', '', true],
    ['busybox', 'busybox', true],
  ];
  for (const [p, s, want] of cases) it(`${p} ~ ${s} = ${want}`, () => expect(pathMatch(p, s)).toBe(want));
  it('reports bad patterns', () => expect(() => pathMatch('[a-', 'a')).toThrow('syntax error in pattern'));
});
