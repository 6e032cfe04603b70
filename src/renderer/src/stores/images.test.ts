import { describe, expect, it } from 'vitest';
import { filterRows, sortRows, toRows } from './images.ts';
import type { ImageSummary } from '../../../shared/contract.ts';

function img(id: string, repoTags: string[], size: number, containers = 0, created = 1): ImageSummary {
  return { id: `sha256:${id.padEnd(64, '0')}`, repoTags, repoDigests: [], parentId: '', created, size, sharedSize: 0, labels: {}, containers };
}

const images = [
  img('a1', ['jq:1.7', 'jq:latest'], 10),
  img('b2', ['java-app:1'], 20, 1),
  img('c3', ['busybox:latest'], 5),
  img('d4', [], 7),
  img('e5', ['docker.io/myorg/jenkins:lts'], 30),
];

describe('images table rows', () => {
  it('has one row per tag and one <none> row per untagged image', () => {
    const rows = toRows(images);
    expect(rows.map((r) => `${r.repository}:${r.tag}`)).toEqual(['jq:1.7', 'jq:latest', 'java-app:1', 'busybox:latest', '<none>:<none>', 'docker.io/myorg/jenkins:lts']);
    expect(rows.find((r) => r.repository === '<none>')?.dangling).toBe(true);
  });

  it('filters with docker reference patterns: j* matches names, not across /', () => {
    const names = filterRows(toRows(images), 'j*', false, false).map((r) => `${r.repository}:${r.tag}`);
    expect(names).toEqual(['jq:1.7', 'jq:latest', 'java-app:1']);
    expect(filterRows(toRows(images), 'jq:1.*', false, false).map((r) => r.tag)).toEqual(['1.7']);
    expect(filterRows(toRows(images), '*/*/jenkins', false, false)).toHaveLength(1);
  });

  it('filters dangling and in-use images, and by ID prefix', () => {
    expect(filterRows(toRows(images), '', true, false).map((r) => r.id.slice(7, 9))).toEqual(['d4']);
    expect(filterRows(toRows(images), '', false, true).map((r) => r.repository)).toEqual(['java-app']);
    expect(filterRows(toRows(images), 'c3', false, false).map((r) => r.repository)).toEqual(['busybox']);
  });

  it('searches substrings of repository, tag and ID as well as patterns', () => {
    const rows = toRows([...images, img('f6', ['web-ping:1.2.0', 'localhost:5000/debian-slim:12'], 3)]);
    const find = (p: string) => filterRows(rows, p, false, false).map((r) => `${r.repository}:${r.tag}`);
    expect(find('ping')).toEqual(['web-ping:1.2.0']);
    expect(find('1.2')).toEqual(['web-ping:1.2.0']);
    expect(find('debian')).toEqual(['localhost:5000/debian-slim:12']);
    expect(find('JENKINS')).toEqual(['docker.io/myorg/jenkins:lts']);
    expect(find('web*')).toEqual(['web-ping:1.2.0']);
    expect(find('f6')).toEqual(['web-ping:1.2.0', 'localhost:5000/debian-slim:12']);
    expect(find('nothing-like-this')).toEqual([]);
  });

  it('sorts by size both ways with a stable tie-break', () => {
    const rows = toRows(images);
    expect(sortRows([...rows], 'size', true).map((r) => r.size)).toEqual([30, 20, 10, 10, 7, 5]);
    expect(sortRows([...rows], 'repository', false)[0]!.repository).toBe('<none>');
  });
});
