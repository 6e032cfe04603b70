import { describe, expect, it } from 'vitest';
import { checkContainerFilters, matchesContainerFilters } from './filters.ts';
import type { ContainerRecord } from './container-service.ts';

const record = (over: Partial<ContainerRecord>): ContainerRecord => ({
  id: 'a'.repeat(64), name: 'web', imageId: 'sha256:1', image: 'busybox', created: 0, state: 'running', exitCode: 0,
  startedAt: 0, finishedAt: 0, sandboxPid: 0, config: { Labels: { tier: 'web', env: 'prod' } } as unknown as ContainerRecord['config'], ...over,
});
const images = { tryResolve: (ref: string) => (ref === 'busybox:latest' ? 'sha256:1' : undefined) };

describe('container filters (moby\'s rule)', () => {
  it('a key\'s values are alternatives; labels must all be present; keys must all match', () => {
    const c = record({});
    expect(matchesContainerFilters(images, c, { status: ['exited', 'running'] })).toBe(true);
    expect(matchesContainerFilters(images, c, { label: ['tier=web', 'env=prod'] })).toBe(true);
    expect(matchesContainerFilters(images, c, { label: ['tier=web', 'env=dev'] })).toBe(false);
    expect(matchesContainerFilters(images, c, { name: ['we'], ancestor: ['busybox:latest'] })).toBe(true);
    expect(matchesContainerFilters(images, c, { name: ['we'], ancestor: ['alpine'] })).toBe(false);
    expect(matchesContainerFilters(images, record({ state: 'exited', exitCode: 3 }), { exited: ['3'] })).toBe(true);
  });

  it('refuses unknown keys and states before looking at any container', () => {
    expect(() => checkContainerFilters({ bogus: ['1'] })).toThrow("invalid filter 'bogus'");
    expect(() => checkContainerFilters({ status: ['sleeping'] })).toThrow("invalid filter 'status=sleeping'");
    expect(() => checkContainerFilters({ status: ['exited'], label: ['a'] })).not.toThrow();
  });
});
