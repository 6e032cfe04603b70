import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { layerTree, layerSummaries } from '../../src/main/engine/image/layers.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { strata } from './run.ts';

/**
 * Three layers: the second replaces a/big and deletes b (a whiteout), the third makes a opaque.
 * So layer 0 wastes a/big (1000), b (5) and a/keep (10); layer 1 wastes its a/big (2000).
 */
describe('strata image layers', () => {
  const tmp = tempDir();
  const root = join(tmp.path, 'store');
  let id = '';

  beforeAll(async () => {
    const l0 = join(tmp.path, 'l0.tar');
    const l1 = join(tmp.path, 'l1.tar');
    const l2 = join(tmp.path, 'l2.tar');
    await writeTar(l0, [
      { type: 'dir', name: 'a' },
      { type: 'file', name: 'a/big', content: 'x'.repeat(1000) },
      { type: 'file', name: 'a/keep', content: 'k'.repeat(10) },
      { type: 'file', name: 'b', content: 'bbbbb' },
    ]);
    await writeTar(l1, [
      { type: 'dir', name: 'a' },
      { type: 'file', name: 'a/big', content: 'y'.repeat(2000) },
      { type: 'file', name: '.wh.b', content: '' },
      { type: 'file', name: 'c', content: 'ccc' },
    ]);
    await writeTar(l2, [
      { type: 'dir', name: 'a' },
      { type: 'file', name: 'a/.wh..wh..opq', content: '' },
      { type: 'file', name: 'a/new', content: 'n' },
    ]);
    const engine = Engine.open({ root });
    const img = await storeImage(engine, [l0, l1, l2], {
      tags: ['layered:1'],
      createdBy: ['/bin/sh -c #(nop) ADD file:base in /', 'RUN /bin/sh -c make big', 'COPY a /a # buildkit'],
    });
    id = img.id;
    engine.close();
  });
  afterAll(() => tmp.cleanup());

  it('counts added, modified and deleted files and the bytes later layers hide', async () => {
    const engine = Engine.open({ root });
    try {
      const rows = layerSummaries(engine, id);
      expect(rows.map((r) => [r.position, r.added, r.modified, r.deleted, r.wastedBytes, r.createdBy])).toEqual([
        [0, 3, 0, 0, 1015, '/bin/sh -c #(nop) ADD file:base in /'],
        [1, 1, 1, 1, 2000, 'RUN /bin/sh -c make big'],
        [2, 1, 0, 1, 0, 'COPY a /a # buildkit'],
      ]);
      const tree = layerTree(engine, id, 0);
      expect(tree.entries.filter((e) => e.wasted).map((e) => e.path).sort()).toEqual(['a/big', 'a/keep', 'b']);
      expect(() => layerTree(engine, id, 3)).toThrow(/has no layer 3/);
    } finally {
      engine.close();
    }
  });

  it('says what each whiteout hides: the file or folder below it, its bytes and layer; an opaque folder its contents', async () => {
    const engine = Engine.open({ root });
    try {
      const deleted = (position: number) => layerTree(engine, id, position).entries.filter((e) => e.change === 'D').map((e) => [e.path, e.type, e.hides]);
      expect(deleted(0)).toEqual([]);
      expect(deleted(1)).toEqual([['b', 'whiteout', { type: 'file', files: 1, size: 5, layers: [0] }]]);
      // a/big now comes from layer 1 (2000 bytes), a/keep still from layer 0; a itself was re-listed by layer 1.
      expect(deleted(2)).toEqual([['a', 'opaque', { type: 'dir', files: 2, size: 2010, layers: [0, 1] }]]);
    } finally {
      engine.close();
    }
  });

  it('prints a table by default', async () => {
    const res = await strata(root, ['image', 'layers', 'layered:1']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LAYER\s+DIFF ID\s+SIZE\s+ADDED\s+MODIFIED\s+DELETED\s+WASTED\s+CREATED BY$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^0\s+[0-9a-f]{12}\s+\S+B\s+3\s+0\s+0\s+1\.01kB\s+\/bin\/sh -c #\(nop\) ADD file:base in \/$/);
    expect(lines[2]).toMatch(/^1\s+[0-9a-f]{12}\s+\S+B\s+1\s+1\s+1\s+2kB\s+RUN \/bin\/sh -c make big$/);
  });

  it('prints one JSON object per layer with --format json', async () => {
    const res = await strata(root, ['image', 'layers', '--format', 'json', '--no-trunc', 'layered:1']);
    const rows = res.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ Position: 1, Added: 1, Modified: 1, Deleted: 1, WastedBytes: 2000, Wasted: '2kB', CreatedBy: 'RUN /bin/sh -c make big' });
    expect(rows[1]!.DiffID).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('says no such image like the other image commands', async () => {
    expect(await strata(root, ['image', 'layers', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nope:latest\n' });
  });
});
