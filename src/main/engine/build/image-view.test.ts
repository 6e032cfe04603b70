import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine.ts';
import { tempDir } from '../../../../test/tmp.ts';
import type { FileType, LayerFile } from '../api.ts';
import { recordLayer } from './cache.ts';
import { ImageView } from './image-view.ts';

/** A small deterministic generator (mulberry32), so a failing stack can be replayed by its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['a', 'b', 'c'];
const TYPES: FileType[] = ['dir', 'dir', 'dir', 'file', 'file', 'symlink', 'whiteout', 'opaque'];

/** Every path of up to three levels over a tiny alphabet: layers over them collide often. */
const PATHS = NAMES.flatMap((x) => [x, ...NAMES.flatMap((y) => [`${x}/${y}`, ...NAMES.map((z) => `${x}/${y}/${z}`)])]);

/** A layer of random entries in path order, one per path, as a layer's index in the store holds them. */
function randomLayer(next: () => number, n: number): LayerFile[] {
  const byPath = new Map<string, LayerFile>();
  for (let i = 0; i < n; i++) {
    const path = next() < 0.05 ? '' : PATHS[Math.floor(next() * PATHS.length)]!;
    const type = path === '' ? 'opaque' : TYPES[Math.floor(next() * TYPES.length)]!;
    byPath.set(path, { path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: i, gid: 0, size: type === 'file' ? i : 0, linkTarget: type === 'symlink' ? 'x' : '', mtime: i });
  }
  return [...byPath.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

describe('image view', () => {
  const tmp = tempDir('strata-view-');
  const engine = Engine.open({ root: join(tmp.path, 'root') });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('answers a path as the whole merged view does, reading only that path from the store', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = rng(seed);
      const layers = Array.from({ length: 1 + Math.floor(next() * 5) }, () => randomLayer(next, 1 + Math.floor(next() * 14)));
      const diffIds = layers.map((files, i) => {
        const diffId = `sha256:${seed.toString(16).padStart(8, '0')}${i.toString(16).padStart(56, '0')}`;
        recordLayer(engine.db, { diffId, blobDigest: diffId, blobSize: 0, compression: 'none', size: 0, diffSize: 0, files });
        return diffId;
      });
      const whole = ImageView.of(engine, diffIds);
      // Stored layers read on demand, and layers given in memory (what the build just wrote).
      const fromStore = ImageView.lazy(engine);
      const inMemory = ImageView.lazy(engine);
      diffIds.forEach((d, i) => {
        fromStore.apply(d, undefined);
        inMemory.apply(d, layers[i]);
      });
      for (const p of ['', ...PATHS]) {
        const want = whole.get(p);
        expect(fromStore.get(p), `seed ${seed}, ${p}`).toEqual(want);
        expect(inMemory.get(p), `seed ${seed}, ${p}`).toEqual(want);
        expect(fromStore.resolve(p), `seed ${seed}, ${p}`).toBe(whole.resolve(p));
      }
      // Made whole on demand (a subtree), it is the same view.
      expect(fromStore.subtree('')).toEqual(whole.subtree(''));
      expect(inMemory.subtree('')).toEqual(whole.subtree(''));
    }
  });

  it('keeps answering after a layer is added on top of a view made whole', () => {
    const files: LayerFile[] = [{ path: 'a', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: '', mtime: 0 }];
    const top: LayerFile[] = [{ path: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, linkTarget: '', mtime: 0 }];
    const view = ImageView.lazy(engine);
    view.apply('sha256:bottom', files);
    expect(view.subtree('').map((e) => e.path)).toEqual(['a']);
    view.apply('sha256:top', top);
    expect(view.get('a')?.type).toBe('file');
    expect(view.get('a')?.diffId).toBe('sha256:top');
  });
});
