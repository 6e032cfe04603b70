import { describe, expect, it } from 'vitest';
import { buildTree, visibleRows } from './file-tree.ts';
import type { TreeEntry } from '../../../shared/contract.ts';

const e = (path: string, type: string, size: number, change: TreeEntry['change'] = 'A', wasted = false): TreeEntry => ({ path, type, size, linkTarget: '', change, wasted });

// A layer as the engine lists it: usr/ and usr/bin/ are in the tar, etc/ is not.
const entries = [
  e('usr/', 'dir', 0), e('usr/bin/', 'dir', 0), e('usr/bin/jq', 'file', 40_000), e('usr/bin/yq', 'file', 2_000),
  e('etc/passwd', 'file', 120, 'M', true), e('etc/old.conf', 'file', 0, 'D'), e('README', 'file', 10),
];

describe('the layer file tree', () => {
  const tree = buildTree(entries);

  it('nests entries under their folders, folders first, adding the folders the layer does not list', () => {
    expect(tree.map((r) => `${'  '.repeat(r.depth)}${r.name}${r.isDir ? '/' : ''}`)).toEqual([
      'etc/', '  old.conf', '  passwd', 'usr/', '  bin/', '    jq', '    yq', 'README',
    ]);
    expect(tree.find((r) => r.path === 'etc')).toMatchObject({ implied: true, change: '' });
    expect(tree.find((r) => r.path === 'usr')).toMatchObject({ implied: false, change: 'A' });
  });

  it('gives each folder the bytes of the files below it (a deleted file adds none)', () => {
    const size = (p: string) => tree.find((r) => r.path === p)?.size;
    expect(size('usr/bin')).toBe(42_000);
    expect(size('usr')).toBe(42_000);
    expect(size('etc')).toBe(120);
  });

  it('hides what is under a collapsed folder, at any depth', () => {
    expect(visibleRows(tree, new Set(['usr'])).map((r) => r.path)).toEqual(['etc', 'etc/old.conf', 'etc/passwd', 'usr', 'README']);
    expect(visibleRows(tree, new Set(['usr/bin'])).map((r) => r.path)).toContain('usr/bin');
    expect(visibleRows(tree, new Set(['usr/bin'])).map((r) => r.path)).not.toContain('usr/bin/jq');
  });

  it('a search keeps each match with the folders above it, collapsed or not', () => {
    const found = visibleRows(tree, new Set(['usr']), (r) => r.name.includes('jq'));
    expect(found.map((r) => r.path)).toEqual(['usr', 'usr/bin', 'usr/bin/jq']);
    const wasted = visibleRows(tree, new Set(), (r) => r.wasted);
    expect(wasted.map((r) => r.path)).toEqual(['etc', 'etc/passwd']);
  });

  it('an opaque folder the layer also lists is one folder row, marked D with what it hides; its new files count', () => {
    const hides = { type: 'dir', files: 2, size: 2010, layers: [0, 1] };
    const t = buildTree([e('a', 'dir', 0, 'M'), { ...e('a', 'opaque', 0, 'D'), hides }, e('a/new', 'file', 1), { ...e('b', 'whiteout', 0, 'D'), hides: { type: 'file', files: 1, size: 5, layers: [0] } }]);
    expect(t.map((r) => [r.path, r.isDir, r.change, r.opaque])).toEqual([['a', true, 'D', true], ['a/new', false, 'A', false], ['b', false, 'D', false]]);
    expect(t[0]).toMatchObject({ size: 1, hides });
    expect(t[2]!.hides).toEqual({ type: 'file', files: 1, size: 5, layers: [0] });
  });
});
