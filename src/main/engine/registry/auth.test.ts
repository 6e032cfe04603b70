import { describe, expect, it } from 'vitest';
import { parseChallenges, repositoryScope } from './auth.ts';

describe('WWW-Authenticate challenges', () => {
  it('parses Docker Hub\'s bearer challenge', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
  });

  it('parses basic, several challenges, escapes and bare values', () => {
    expect(parseChallenges(['Basic realm="basic-realm"', 'Bearer realm="https://x/t?a=1,b=2", error=invalid_token, scope="a\\"b"'])).toEqual([
      { scheme: 'basic', params: { realm: 'basic-realm' } },
      { scheme: 'bearer', params: { realm: 'https://x/t?a=1,b=2', error: 'invalid_token', scope: 'a"b' } },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
  });

  it('asks for docker\'s scopes', () => {
    expect(repositoryScope('library/busybox', 'pull')).toBe('repository:library/busybox:pull');
    expect(repositoryScope('me/app', 'push,pull')).toBe('repository:me/app:push,pull');
  });
});
